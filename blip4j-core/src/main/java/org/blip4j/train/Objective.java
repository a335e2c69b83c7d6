package org.blip4j.train;

import java.util.List;
import java.util.Map;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;

/**
 * A training objective run by the {@link Trainer}: pre-training (ITC + ITM + LM) now, the
 * fine-tuning tasks and CapFilt's captioner and filter later. It owns its model and optimiser; the
 * trainer owns the loop, the schedule, metrics and checkpoints.
 *
 * @param <T> the batch item the data loader produces
 */
public interface Objective<T> extends AutoCloseable {

  /** Named losses of one step and the gradient norm before clipping. */
  record StepOutput(Map<String, Double> losses, double gradNorm) {}

  /**
   * Called once before the first step of a run that does not resume (e.g. copy the online
   * parameters into the momentum encoders).
   */
  void start();

  /** One forward, backward and optimiser update on {@code items}. */
  StepOutput step(List<T> items, StepContext context);

  /** Every tensor of the model state, saved in checkpoints (momentum copies and queues included). */
  ParameterStore parameters();

  /** The optimiser (its moments are saved in checkpoints). */
  AdamW optimizer();

  /** The parameters the optimiser updates (their moments are what {@link #optimizer()} holds). */
  List<Parameter> trainable();

  @Override
  void close();
}
