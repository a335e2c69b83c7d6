package org.blip4j.cli;

import java.util.concurrent.Callable;
import org.blip4j.train.PretrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code blip pretrain --config FILE --out DIR [--resume]}: BLIP pre-training (ITC + ITM + LM). */
@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Pre-train BLIP with ITC (momentum distillation, queues), ITM (hard negatives) and LM on the configured datasets.",
        "Writes DIR/metrics.jsonl, DIR/loss.png, DIR/checkpoints/step-N/ (kept: keep_last) and, at the end, DIR/model/ (HF layout).",
        "A killed run continues with --resume from its newest checkpoint; at a fixed BLIP4J_THREADS the result is bit-identical."})
public final class PretrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin TrainRun run;

  @Override
  public Integer call() {
    return run.execute("pre-trained", (c, dir, bad, listener) -> PretrainJob.run(c, dir, run.out, run.resume, bad, listener, (d, all) -> { }),
        spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
