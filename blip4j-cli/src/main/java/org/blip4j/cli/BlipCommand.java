package org.blip4j.cli;

import org.blip4j.Blip4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code blip}: BLIP captioning, image-text matching, visual question answering, NLVR, checkpoint
 * conversion and the benchmark from the command line. Results go to stdout (one JSON object per line with {@code --json}),
 * messages and progress to stderr. Exit codes: 0 ok, 1 failure (bad model, unreadable image, ...),
 * 2 usage error.
 */
@Command(name = "blip", mixinStandardHelpOptions = true, versionProvider = BlipCommand.Version.class,
    description = "BLIP (Bootstrapping Language-Image Pre-training) on the JVM.",
    subcommands = {CaptionCommand.class, ItmCommand.class, VqaCommand.class, NlvrCommand.class, EvalCommand.class, ConvertCommand.class,
        PretrainCommand.class, FinetuneCommand.class, CapfiltCommand.class, ReproduceCommand.class, BenchCommand.class, DataCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success, 1 failure (model, file or image errors), 2 usage error.",
        "Set BLIP4J_DEBUG=1 (or pass --verbose to a subcommand) for stack traces; BLIP4J_THREADS sets the thread count."})
public final class BlipCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand (caption, itm, vqa, nlvr, eval, convert, pretrain, finetune, capfilt, reproduce, bench or data)");
  }

  /**
   * The command line as {@link #main} runs it: the runtime is configured ({@link Blip4j#init()})
   * before any subcommand executes, but not for {@code --help}/{@code --version}; errors escaping a
   * subcommand that does not report its own ({@code bench}) are printed without a stack trace.
   */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new BlipCommand());
    CommandLine.IExecutionStrategy runLast = new CommandLine.RunLast();
    cmd.setExecutionStrategy(parsed -> {
      boolean help = parsed.asCommandLineList().stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested()
          || c.getCommand() instanceof CommandLine.HelpCommand);
      if (!help) {
        try {
          Blip4j.init();
        } catch (RuntimeException | Error e) {
          throw new CommandLine.ExecutionException(cmd, "cannot start the PyTorch engine: " + e, e);
        }
      }
      return runLast.execute(parsed);
    });
    cmd.setExecutionExceptionHandler((e, commandLine, parsed) -> Common.report(e, commandLine.getErr(), Common.debugFromEnv()));
    return cmd;
  }

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The version from the jar manifest ({@code Implementation-Version}), or "development build". */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = BlipCommand.class.getPackage().getImplementationVersion();
      return new String[] {"blip4j " + (v != null ? v : "(development build)")};
    }
  }
}
