package org.blip4j.cli;

import java.util.concurrent.Callable;
import org.blip4j.Blip4j;
import org.blip4j.data.BadSampleCounter;
import org.blip4j.train.FinetuneJob;
import org.blip4j.train.PretrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code blip finetune TASK --config FILE --out DIR [--resume]}. */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Fine-tune a BLIP model for a task from the config's 'init' checkpoint (BlipForPretraining or the task's own class).",
        "TASK: caption (LM loss after the prompt \"a picture of \"; result: BlipForConditionalGeneration) or",
        "retrieval (ITC + ITM, positives by image; needs a BlipForPretraining init; result: BlipForImageTextRetrieval) or",
        "vqa (answer LM loss weighted by answer share, on VQA records {question, image, answer: [...]}; from a BlipForPretraining or",
        "BlipForQuestionAnswering; result: BlipForQuestionAnswering, loadable by 'blip vqa' / 'blip eval vqa') or",
        "nlvr (image-pair classification on NLVR records; cross-attention copied into both branches, merge layers and head fresh; result: BlipForNlvr2).",
        "The config has the keys of 'blip pretrain' (datasets, image_size, batch_size, epochs, lr, ...). Writes DIR/metrics.jsonl,",
        "DIR/loss.png, DIR/checkpoints/ and, at the end, DIR/model/ (HF layout, loadable by 'blip caption' / 'blip itm' / 'blip nlvr' / 'blip eval'); --resume continues a killed run."})
public final class FinetuneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "TASK", description = "caption, retrieval, vqa or nlvr")
  String task;

  @Mixin TrainRun run;

  @Override
  public Integer call() {
    return run.execute("fine-tuned (" + task + ")",
        (c, dir, bad, listener) -> FinetuneJob.run(task, c, dir, run.out, run.resume, bad, listener, (d, all) -> { }),
        spec.commandLine().getOut(), spec.commandLine().getErr());
  }
}
