package org.blip4j.checkpoint.pth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.blip4j.checkpoint.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile pickles written opcode by opcode: every non-allow-listed global is refused, nothing runs. */
class UnpicklerSecurityTest {
  @TempDir Path dir;

  private Path hostile(String name, Pickle p) {
    return Pickle.write(dir, name + ".pth", Pickle.checkpoint(p.bytes(), Map.of()));
  }

  /** Pushes {@code callable('touch <pwned>')} via REDUCE, then STOP. */
  private Pickle callWithCommand(Pickle p, Path pwned) {
    return p.mark().str("touch " + pwned).op('t').op('R').stop();
  }

  private void assertRefused(Path file, String global, Path pwned) {
    assertThatThrownBy(() -> TorchCheckpoint.read(file))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("refusing to load " + file)
        .hasMessageContaining("the global '" + global + "', which is not allowed");
    assertThat(pwned).doesNotExist();
  }

  @Test
  void globalOsSystemIsRefused() {
    Path pwned = dir.resolve("pwned-os");
    Path f = hostile("os", callWithCommand(Pickle.proto2().global("os", "system"), pwned));
    assertRefused(f, "os.system", pwned);
  }

  @Test
  void stackGlobalBuiltinsEvalIsRefused() {
    Path pwned = dir.resolve("pwned-eval");
    Pickle p = Pickle.proto2().stackGlobal("builtins", "eval")
        .mark().str("__import__('os').system('touch " + pwned + "')").op('t').op('R').stop();
    assertRefused(hostile("eval", p), "builtins.eval", pwned);
  }

  @Test
  void subprocessPopenPosixNtAndPython2BuiltinsAreRefused() {
    String[][] globals = {
      {"subprocess", "Popen"}, {"posix", "system"}, {"nt", "system"}, {"__builtin__", "eval"}, {"builtins", "exec"},
      {"builtins", "getattr"}, {"torch", "load"}, {"torch._utils", "_rebuild_tensor_v2x"}, {"collections", "OrderedDictX"},
      {"torch.serialization", "_get_layout"}, {"numpy.core.multiarray", "_reconstruct"},
    };
    for (String[] g : globals) {
      Path pwned = dir.resolve("pwned-" + g[0] + g[1]);
      assertRefused(hostile(g[0] + "-" + g[1], callWithCommand(Pickle.proto2().global(g[0], g[1]), pwned)), g[0] + "." + g[1], pwned);
      assertRefused(hostile("s-" + g[0] + "-" + g[1], callWithCommand(Pickle.proto2().stackGlobal(g[0], g[1]), pwned)), g[0] + "." + g[1], pwned);
    }
  }

  @Test
  void hostileGlobalAfterValidTensorsIsStillRefused() {
    Path pwned = dir.resolve("pwned-late");
    Pickle p = Pickle.proto2().op('}').str("w").tensor("FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1}).op('s')
        .str("x").global("os", "system").str("touch " + pwned).op(0x85).op('R').op('s').stop();
    Path f = Pickle.write(dir, "late.pth", Pickle.checkpoint(p.bytes(), Map.of("0", new byte[8])));
    assertRefused(f, "os.system", pwned);
  }

  @Test
  void nameWithControlCharactersIsPrintedEscaped() {
    Pickle p = Pickle.proto2().stackGlobal("os\u001b[2J", "system").stop();
    assertThatThrownBy(() -> TorchCheckpoint.read(hostile("esc", p)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("os\\u001b[2J.system")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u001b"));
  }

  @Test
  void allowListedNamesCannotBeAbused() {
    // calling a storage type
    Pickle callStorage = Pickle.proto2().global("torch", "FloatStorage").mark().integer(5).op('t').op('R').stop();
    assertThatThrownBy(() -> TorchCheckpoint.read(hostile("callstorage", callStorage)))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("cannot be called");
    // OrderedDict with arguments, NEWOBJ of something else, REDUCE on a non-callable
    Pickle odArgs = Pickle.proto2().global("collections", "OrderedDict").mark().op(']').op('t').op('R').stop();
    assertThatThrownBy(() -> TorchCheckpoint.read(hostile("odargs", odArgs)))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("only OrderedDict() is supported");
    Pickle newobj = Pickle.proto2().global("torch._utils", "_rebuild_tensor_v2").op(')').op(0x81).stop();
    assertThatThrownBy(() -> TorchCheckpoint.read(hostile("newobj", newobj)))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("NEWOBJ is only supported");
    Pickle strCall = Pickle.proto2().str("os.system").op(')').op('R').stop();
    assertThatThrownBy(() -> TorchCheckpoint.read(hostile("strcall", strCall)))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("not callable");
    // BUILD on a tensor / a bare global in the result
    Pickle build = Pickle.proto2().op(']').op('}').op('b').stop();
    assertThatThrownBy(() -> TorchCheckpoint.read(hostile("build", build)))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("BUILD is only supported");
    Pickle bare = Pickle.proto2().global("torch", "FloatStorage").stop();
    assertThatThrownBy(() -> TorchCheckpoint.read(hostile("bare", bare)))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("bare reference");
    // extension registry opcodes (EXT1) and INST/OBJ are not supported at all
    for (int op : new int[] {0x82, 'i', 'o', 'P'}) {
      Pickle ext = Pickle.proto2().op(op).op(1).stop();
      assertThatThrownBy(() -> TorchCheckpoint.read(hostile("op" + op, ext)))
          .isInstanceOf(CheckpointException.class).hasMessageContaining(String.format("opcode 0x%02x", op));
    }
  }

  @Test
  void plainPicklesLoadThroughThePublicEntryPoint() {
    byte[] p = Pickle.proto2().op('}').str("a").mark().integer(1).integer(-2).integer(70000).integer(1L << 40).op('l').op('s')
        .str("b").op('N').op(0x88).op(0x86).op('s').stop().bytes();
    Object root = Unpickler.load(p, "test");
    assertThat(root).isEqualTo(Map.of("a", java.util.List.of(1L, -2L, 70000L, 1L << 40), "b", java.util.Arrays.asList(null, true)));
    assertThatThrownBy(() -> Unpickler.load(Pickle.proto2().global("os", "system").stop().bytes(), "plain.pkl"))
        .isInstanceOf(CheckpointException.class).hasMessageContaining("refusing to load plain.pkl");
    assertThat(Files.exists(dir.resolve("nothing"))).isFalse();
  }
}
