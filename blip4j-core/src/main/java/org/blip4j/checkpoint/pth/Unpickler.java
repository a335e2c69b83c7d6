package org.blip4j.checkpoint.pth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.blip4j.checkpoint.CheckpointException;

/**
 * A minimal, SAFE pickle virtual machine for the pickles {@code torch.save} writes (protocols 0–5,
 * the opcodes state dicts and plain containers use). Nothing from the stream is ever executed:
 * {@code GLOBAL}/{@code STACK_GLOBAL} resolve only the few allow-listed names of {@link PyGlobal},
 * and {@code REDUCE}/{@code NEWOBJ}/{@code BUILD} on them are implemented in plain Java (build a
 * dict, build a {@link TensorRef}). Any other global is refused with a {@link CheckpointException}
 * naming the file and the global.
 *
 * <p>Result objects: dict and OrderedDict → {@link LinkedHashMap}, list → {@link ArrayList}, tuple
 * → unmodifiable {@link List}, set/frozenset → {@link LinkedHashSet}, str → {@link String}, int →
 * {@link Long} (or {@link BigInteger} beyond 64 bits), float → {@link Double}, bool → {@link
 * Boolean}, None → null, bytes/bytearray → {@code byte[]}, tensors → {@link TensorRef}.
 *
 * <p>Hardening: every length read from the stream is checked against the bytes that remain before
 * anything is allocated; stack underflow, MARK misuse, memo misses, unhashable dict keys and unknown
 * opcodes are errors naming the opcode and its offset; the number of pushed objects, the MARK
 * nesting and the nesting depth of the result are capped ({@link TorchCheckpoint.Limits}); the
 * result is checked to be acyclic. The VM itself never recurses.
 */
public final class Unpickler {

  /** Resolves a storage persistent id {@code ('storage', type, key, location, numel)}. */
  @FunctionalInterface
  interface StorageResolver {
    Storage storage(String dtype, String key, String location, long numel);
  }

  private static final int MAX_LINE = 4096;
  private static final int MAX_LONG_BYTES = 4096;
  private static final int MAX_DIMS = 64;

  private final byte[] data;
  private final String source;
  private final TorchCheckpoint.Limits limits;
  private final StorageResolver resolver;

  private final ArrayList<Object> stack = new ArrayList<>();
  private final Deque<Integer> marks = new ArrayDeque<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private int pos;
  private int opPos;
  private int op;
  private long pushes;

  Unpickler(byte[] data, String source, TorchCheckpoint.Limits limits, StorageResolver resolver) {
    this.data = data;
    this.source = source;
    this.limits = limits;
    this.resolver = resolver;
  }

  /**
   * Unpickles a plain pickle (no persistent ids) with the same allow-list and limits as checkpoint
   * reading, e.g. to inspect a {@code data.pkl} on its own.
   *
   * @param pickle the pickle bytes
   * @param source what to name in error messages (usually the file)
   * @throws CheckpointException for anything malformed, refused or over a limit
   */
  public static Object load(byte[] pickle, String source) {
    return new Unpickler(pickle, source, TorchCheckpoint.Limits.DEFAULT, null).load();
  }

  /** Runs the VM to STOP and returns the validated root object. */
  Object load() {
    if (data.length > limits.maxPickleBytes()) {
      throw new CheckpointException(source + ": data.pkl has " + data.length + " bytes, more than the limit " + limits.maxPickleBytes());
    }
    while (true) {
      if (pos >= data.length) {
        throw new CheckpointException(source + ": data.pkl ends at offset " + pos + " without a STOP opcode (truncated?)");
      }
      opPos = pos;
      op = data[pos++] & 0xff;
      if (op == '.') {
        Object root = pop();
        if (!marks.isEmpty() || !stack.isEmpty()) {
          throw fail("STOP with " + stack.size() + " objects and " + marks.size() + " MARKs left on the stack");
        }
        checkGraph(root);
        return root;
      }
      step();
    }
  }

  private void step() {
    switch (op) {
      case 0x80 -> { // PROTO
        int p = u8();
        if (p > 5) {
          throw fail("unsupported pickle protocol " + p);
        }
      }
      case 0x95 -> { // FRAME: framing is only a read-ahead hint; check the length and go on
        long n = i64();
        if (n < 0 || n > data.length - pos) {
          throw fail("FRAME declares " + Long.toUnsignedString(n) + " bytes but only " + (data.length - pos) + " remain");
        }
      }
      case '(' -> { // MARK
        if (marks.size() >= limits.maxDepth()) {
          throw fail("more than " + limits.maxDepth() + " nested MARKs");
        }
        count();
        marks.push(stack.size());
      }
      case '0' -> { // POP
        if (stack.size() > base()) {
          stack.remove(stack.size() - 1);
        } else {
          popMark();
        }
      }
      case '1' -> popMark(); // POP_MARK
      case '2' -> push(peek()); // DUP
      case 'N' -> push(null);
      case 0x88 -> push(Boolean.TRUE);
      case 0x89 -> push(Boolean.FALSE);
      case 'J' -> push((long) i32()); // BININT
      case 'K' -> push((long) u8()); // BININT1
      case 'M' -> push((long) u16()); // BININT2
      case 0x8a -> push(decodeLong(u8())); // LONG1
      case 0x8b -> { // LONG4
        int n = i32();
        if (n < 0 || n > MAX_LONG_BYTES) {
          throw fail("LONG4 declares " + n + " bytes (limit " + MAX_LONG_BYTES + ")");
        }
        push(decodeLong(n));
      }
      case 'I' -> { // INT (text)
        String s = line();
        if (s.equals("00")) {
          push(Boolean.FALSE);
        } else if (s.equals("01")) {
          push(Boolean.TRUE);
        } else {
          push(parseInt(s));
        }
      }
      case 'L' -> { // LONG (text)
        String s = line();
        push(parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
      }
      case 'G' -> { // BINFLOAT, big-endian
        need(8);
        long bits = 0;
        for (int i = 0; i < 8; i++) {
          bits = (bits << 8) | (data[pos++] & 0xff);
        }
        push(Double.longBitsToDouble(bits));
      }
      case 'F' -> { // FLOAT (text)
        String s = line();
        try {
          push(Double.parseDouble(s));
        } catch (NumberFormatException e) {
          throw fail("FLOAT is not a number: '" + printable(s) + "'");
        }
      }
      case 'X' -> push(utf8(u32())); // BINUNICODE
      case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
      case 0x8d -> push(utf8(i64())); // BINUNICODE8
      case 'T' -> push(latin1(i32())); // BINSTRING (python 2 str)
      case 'U' -> push(latin1(u8())); // SHORT_BINSTRING
      case 'B' -> push(bytes(u32())); // BINBYTES
      case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
      case 0x8e, 0x96 -> push(bytes(i64())); // BINBYTES8, BYTEARRAY8
      case '}' -> push(new LinkedHashMap<Object, Object>()); // EMPTY_DICT
      case 'd' -> { // DICT
        List<Object> items = popMark();
        LinkedHashMap<Object, Object> d = new LinkedHashMap<>();
        putPairs(d, items);
        push(d);
      }
      case ']' -> push(new ArrayList<Object>()); // EMPTY_LIST
      case 'l' -> push(new ArrayList<Object>(popMark())); // LIST
      case ')' -> push(tuple(List.of())); // EMPTY_TUPLE
      case 't' -> push(tuple(popMark())); // TUPLE
      case 0x85 -> push(tuple(popN(1)));
      case 0x86 -> push(tuple(popN(2)));
      case 0x87 -> push(tuple(popN(3)));
      case 0x8f -> push(new LinkedHashSet<Object>()); // EMPTY_SET
      case 0x90 -> { // ADDITEMS
        List<Object> items = popMark();
        Set<Object> set = asSet(peek());
        for (Object o : items) {
          set.add(hashable(o));
        }
      }
      case 0x91 -> { // FROZENSET
        List<Object> items = popMark();
        LinkedHashSet<Object> set = new LinkedHashSet<>();
        for (Object o : items) {
          set.add(hashable(o));
        }
        push(Collections.unmodifiableSet(set));
      }
      case 'a' -> { // APPEND
        Object v = pop();
        asList(peek()).add(v);
      }
      case 'e' -> { // APPENDS
        List<Object> items = popMark();
        asList(peek()).addAll(items);
      }
      case 's' -> { // SETITEM
        Object v = pop();
        Object k = pop();
        asDict(peek()).put(hashable(k), v);
      }
      case 'u' -> { // SETITEMS
        List<Object> items = popMark();
        putPairs(asDict(peek()), items);
      }
      case 'q' -> memoPut(u8()); // BINPUT
      case 'r' -> memoPut(u32()); // LONG_BINPUT
      case 0x94 -> memoPut(memo.size()); // MEMOIZE
      case 'p' -> memoPut(parseIndex(line())); // PUT
      case 'h' -> push(memoGet(u8())); // BINGET
      case 'j' -> push(memoGet(u32())); // LONG_BINGET
      case 'g' -> push(memoGet(parseIndex(line()))); // GET
      case 'c' -> { // GLOBAL
        String module = line();
        String name = line();
        push(global(module, name));
      }
      case 0x93 -> { // STACK_GLOBAL
        Object name = pop();
        Object module = pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
          throw fail("STACK_GLOBAL needs two strings, got " + typeName(module) + " and " + typeName(name));
        }
        push(global(m, n));
      }
      case 'R' -> { // REDUCE
        Object args = pop();
        Object callable = pop();
        push(reduce(callable, args));
      }
      case 0x81 -> { // NEWOBJ
        Object args = pop();
        Object cls = pop();
        if (cls != PyGlobal.ORDERED_DICT || !(isTuple(args) && ((List<?>) args).isEmpty())) {
          throw fail("NEWOBJ is only supported for collections.OrderedDict(), got " + typeName(cls) + " with " + typeName(args));
        }
        push(new LinkedHashMap<Object, Object>());
      }
      case 'b' -> { // BUILD
        Object state = pop();
        Object inst = peek();
        // OrderedDict state dicts carry `_metadata` (module versions) as an instance attribute;
        // it has no place in a Java map and is dropped.
        if (!(inst instanceof LinkedHashMap) || !(state == null || state instanceof Map)) {
          throw fail("BUILD is only supported on a dict with a dict state, got " + typeName(inst) + " and " + typeName(state));
        }
      }
      case 'Q' -> push(persistentLoad(pop())); // BINPERSID
      default -> throw fail(String.format("unsupported or unknown opcode 0x%02x%s", op, op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
    }
  }

  // ---- allow-listed globals -------------------------------------------------------------------

  private PyGlobal global(String module, String name) {
    PyGlobal g = PyGlobal.find(module, name);
    if (g == null) {
      throw new CheckpointException(
          "refusing to load " + source + ": pickle references the global '" + printable(module + "." + name)
              + "', which is not allowed (only collections.OrderedDict, torch._utils._rebuild_* and torch.*Storage are; data.pkl offset " + opPos + ")");
    }
    return g;
  }

  private Object reduce(Object callable, Object argsObj) {
    if (!(callable instanceof PyGlobal g)) {
      throw fail("REDUCE on " + typeName(callable) + ", which is not callable");
    }
    if (!isTuple(argsObj)) {
      throw fail("REDUCE of " + g + " needs an argument tuple, got " + typeName(argsObj));
    }
    List<?> args = (List<?>) argsObj;
    switch (g) {
      case ORDERED_DICT -> {
        if (!args.isEmpty()) {
          throw fail("collections.OrderedDict called with " + args.size() + " arguments; only OrderedDict() is supported");
        }
        return new LinkedHashMap<Object, Object>();
      }
      case REBUILD_TENSOR_V2 -> { // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
        arity(g, args, 6, 7);
        return tensor(args.get(0), args.get(1), args.get(2), args.get(3), bool(g, args.get(4)));
      }
      case REBUILD_TENSOR -> { // (storage, offset, size, stride)
        arity(g, args, 4, 4);
        return tensor(args.get(0), args.get(1), args.get(2), args.get(3), false);
      }
      case REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE -> { // (data, requires_grad, backward_hooks[, state])
        arity(g, args, g == PyGlobal.REBUILD_PARAMETER ? 3 : 4, g == PyGlobal.REBUILD_PARAMETER ? 3 : 4);
        if (!(args.get(0) instanceof TensorRef t)) {
          throw fail(g + " needs a tensor, got " + typeName(args.get(0)));
        }
        return new TensorRef(t.storage(), t.storageOffset(), t.shape(), t.stride(), bool(g, args.get(1)));
      }
      default -> throw fail(g + " (a storage type) cannot be called");
    }
  }

  private TensorRef tensor(Object storage, Object offset, Object size, Object stride, boolean requiresGrad) {
    if (!(storage instanceof Storage s)) {
      throw fail("tensor rebuild needs a storage, got " + typeName(storage));
    }
    if (!(offset instanceof Long off)) {
      throw fail("tensor storage offset must be an int, got " + typeName(offset));
    }
    return new TensorRef(s, off, longs("size", size), longs("stride", stride), requiresGrad);
  }

  private long[] longs(String what, Object o) {
    if (!(o instanceof List<?> l)) {
      throw fail("tensor " + what + " must be a tuple of ints, got " + typeName(o));
    }
    if (l.size() > MAX_DIMS) {
      throw fail("tensor " + what + " has " + l.size() + " dimensions (limit " + MAX_DIMS + ")");
    }
    long[] out = new long[l.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(l.get(i) instanceof Long v)) {
        throw fail("tensor " + what + " must be a tuple of ints, element " + i + " is " + typeName(l.get(i)));
      }
      out[i] = v;
    }
    return out;
  }

  private Object persistentLoad(Object pid) {
    if (resolver == null) {
      throw fail("persistent id in a plain pickle");
    }
    if (!isTuple(pid) || ((List<?>) pid).size() != 5) {
      throw fail("persistent id must be ('storage', type, key, location, numel), got " + typeName(pid));
    }
    List<?> t = (List<?>) pid;
    if (!"storage".equals(t.get(0))
        || !(t.get(1) instanceof PyGlobal g) || g.dtype == null
        || !(t.get(2) instanceof String key)
        || !(t.get(3) instanceof String location)
        || !(t.get(4) instanceof Long numel)) {
      throw fail("persistent id must be ('storage', <torch.*Storage>, key, location, numel), got ("
          + typeName(t.get(0)) + ", " + typeName(t.get(1)) + ", " + typeName(t.get(2)) + ", " + typeName(t.get(3)) + ", " + typeName(t.get(4)) + ")");
    }
    if (numel < 0) {
      throw fail("storage '" + printable(key) + "' declares a negative size " + numel);
    }
    return resolver.storage(g.dtype, key, location, numel);
  }

  private void arity(PyGlobal g, List<?> args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      throw fail(g + " called with " + args.size() + " arguments, expected " + (min == max ? "" + min : min + " to " + max));
    }
  }

  private boolean bool(PyGlobal g, Object o) {
    if (!(o instanceof Boolean b)) {
      throw fail(g + ": requires_grad must be a bool, got " + typeName(o));
    }
    return b;
  }

  // ---- stack, marks, memo -----------------------------------------------------------------------

  private int base() {
    return marks.isEmpty() ? 0 : marks.peek();
  }

  private void count() {
    if (++pushes > limits.maxObjects()) {
      throw fail("more than " + limits.maxObjects() + " objects");
    }
  }

  private void push(Object o) {
    count();
    stack.add(o);
  }

  private Object pop() {
    if (stack.size() <= base()) {
      throw fail("stack underflow" + (marks.isEmpty() ? "" : " (only a MARK is left)"));
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    if (stack.size() <= base()) {
      throw fail("stack underflow" + (marks.isEmpty() ? "" : " (only a MARK is left)"));
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popN(int n) {
    if (stack.size() - base() < n) {
      throw fail("stack underflow: needs " + n + " objects");
    }
    List<Object> tail = stack.subList(stack.size() - n, stack.size());
    List<Object> out = new ArrayList<>(tail);
    tail.clear();
    return out;
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) {
      throw fail("no MARK on the stack");
    }
    int m = marks.pop();
    List<Object> tail = stack.subList(m, stack.size());
    List<Object> out = new ArrayList<>(tail);
    tail.clear();
    return out;
  }

  private void memoPut(long index) {
    Object top = peek();
    count();
    memo.put(index, top);
  }

  private Object memoGet(long index) {
    Object v = memo.get(index);
    if (v == null && !memo.containsKey(index)) {
      throw fail("memo has no entry " + index);
    }
    return v;
  }

  // ---- containers -------------------------------------------------------------------------------

  private static List<Object> tuple(List<Object> items) {
    return Collections.unmodifiableList(new ArrayList<>(items));
  }

  private static boolean isTuple(Object o) {
    return o instanceof List && !(o instanceof ArrayList);
  }

  @SuppressWarnings("unchecked")
  private List<Object> asList(Object o) {
    if (!(o instanceof ArrayList)) {
      throw fail("APPEND(S) needs a list, got " + typeName(o));
    }
    return (List<Object>) o;
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> asDict(Object o) {
    if (!(o instanceof LinkedHashMap)) {
      throw fail("SETITEM(S) needs a dict, got " + typeName(o));
    }
    return (Map<Object, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private Set<Object> asSet(Object o) {
    if (!(o instanceof LinkedHashSet)) {
      throw fail("ADDITEMS needs a set, got " + typeName(o));
    }
    return (Set<Object>) o;
  }

  private void putPairs(Map<Object, Object> d, List<Object> items) {
    if (items.size() % 2 != 0) {
      throw fail("odd number of items (" + items.size() + ") for a dict");
    }
    for (int i = 0; i < items.size(); i += 2) {
      d.put(hashable(items.get(i)), items.get(i + 1));
    }
  }

  /** Dict keys and set elements must be immutable scalars or tuples of them, as in Python. */
  private Object hashable(Object key) {
    ArrayDeque<Object> todo = new ArrayDeque<>();
    todo.push(key == null ? Boolean.FALSE : key);
    int seen = 0;
    while (!todo.isEmpty()) {
      Object o = todo.pop();
      if (++seen > 10_000) {
        throw fail("dict key is too large");
      }
      if (o == null || o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean || o instanceof BigInteger) {
        continue;
      }
      if (isTuple(o)) {
        for (Object e : (List<?>) o) {
          todo.push(e == null ? Boolean.FALSE : e);
        }
        continue;
      }
      throw fail("unhashable dict key or set element of type " + typeName(o));
    }
    return key;
  }

  /** Rejects cycles, leftover globals and nesting deeper than the limit, without recursion. */
  private void checkGraph(Object root) {
    Map<Object, Integer> height = new IdentityHashMap<>(); // finished containers → height
    Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Object[]> path = new ArrayDeque<>(); // {container, Iterator<?> children, int[] height}
    Object start = root;
    if (start instanceof PyGlobal) {
      throw leftover(start);
    }
    if (!isContainer(start)) {
      return;
    }
    path.push(new Object[] {start, children(start), new int[] {1}});
    onPath.add(start);
    while (!path.isEmpty()) {
      Object[] frame = path.peek();
      Iterator<?> it = (Iterator<?>) frame[1];
      int[] h = (int[]) frame[2];
      if (!it.hasNext()) {
        path.pop();
        onPath.remove(frame[0]);
        height.put(frame[0], h[0]);
        if (!path.isEmpty()) {
          int[] ph = (int[]) path.peek()[2];
          ph[0] = Math.max(ph[0], h[0] + 1);
        }
        continue;
      }
      Object c = it.next();
      if (c instanceof PyGlobal) {
        throw leftover(c);
      }
      if (!isContainer(c)) {
        continue;
      }
      if (onPath.contains(c)) {
        throw new CheckpointException(source + ": data.pkl contains a reference cycle (a container that contains itself)");
      }
      Integer done = height.get(c);
      if (done != null) {
        if (path.size() + done > limits.maxDepth()) {
          throw tooDeep();
        }
        h[0] = Math.max(h[0], done + 1);
        continue;
      }
      if (path.size() + 1 > limits.maxDepth()) {
        throw tooDeep();
      }
      path.push(new Object[] {c, children(c), new int[] {1}});
      onPath.add(c);
    }
  }

  private CheckpointException tooDeep() {
    return new CheckpointException(source + ": data.pkl nests containers deeper than " + limits.maxDepth() + " levels");
  }

  private CheckpointException leftover(Object g) {
    return new CheckpointException(source + ": data.pkl leaves a bare reference to " + g + " in its result, which is not data");
  }

  private static boolean isContainer(Object o) {
    return o instanceof List || o instanceof Map || o instanceof Set;
  }

  private static Iterator<?> children(Object o) {
    if (o instanceof Map<?, ?> m) {
      List<Object> kv = new ArrayList<>(2 * m.size());
      for (Map.Entry<?, ?> e : m.entrySet()) {
        kv.add(e.getKey());
        kv.add(e.getValue());
      }
      return kv.iterator();
    }
    return ((Iterable<?>) o).iterator();
  }

  // ---- raw reads --------------------------------------------------------------------------------

  private void need(long n) {
    if (n < 0 || n > data.length - pos) {
      throw fail("needs " + n + " bytes but only " + (data.length - pos) + " remain (truncated or corrupt)");
    }
  }

  private int u8() {
    need(1);
    return data[pos++] & 0xff;
  }

  private int u16() {
    need(2);
    int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
    pos += 2;
    return v;
  }

  private int i32() {
    need(4);
    int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8 | (data[pos + 2] & 0xff) << 16 | (data[pos + 3] & 0xff) << 24;
    pos += 4;
    return v;
  }

  private long u32() {
    return i32() & 0xffffffffL;
  }

  private long i64() {
    need(8);
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = (v << 8) | (data[pos + i] & 0xff);
    }
    pos += 8;
    return v;
  }

  private byte[] bytes(long n) {
    if (n < 0 || n > data.length - pos) {
      throw fail("declares a length of " + (n < 0 ? Long.toUnsignedString(n) : n) + " bytes but only " + (data.length - pos) + " remain");
    }
    byte[] b = Arrays.copyOfRange(data, pos, pos + (int) n);
    pos += (int) n;
    return b;
  }

  private String utf8(long n) {
    return new String(bytes(n), StandardCharsets.UTF_8);
  }

  private String latin1(long n) {
    return new String(bytes(n), StandardCharsets.ISO_8859_1);
  }

  private String line() {
    int end = pos;
    int max = Math.min(data.length, pos + MAX_LINE);
    while (end < max && data[end] != '\n') {
      end++;
    }
    if (end >= max) {
      throw fail("text argument not terminated by a newline within " + MAX_LINE + " bytes");
    }
    String s = new String(data, pos, end - pos, StandardCharsets.UTF_8);
    pos = end + 1;
    return s;
  }

  private Object decodeLong(int n) {
    need(n);
    if (n == 0) {
      return 0L;
    }
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = data[pos + n - 1 - i];
    }
    pos += n;
    BigInteger v = new BigInteger(be);
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  private Object parseInt(String s) {
    try {
      if (s.length() > MAX_LONG_BYTES) {
        throw new NumberFormatException();
      }
      BigInteger v = new BigInteger(s.trim());
      return v.bitLength() < 64 ? (Object) v.longValue() : v;
    } catch (NumberFormatException e) {
      throw fail("not an integer: '" + printable(s) + "'");
    }
  }

  private long parseIndex(String s) {
    try {
      long v = Long.parseLong(s.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw fail("not a memo index: '" + printable(s) + "'");
    }
  }

  private CheckpointException fail(String message) {
    return new CheckpointException(source + ": data.pkl offset " + opPos + String.format(" (opcode 0x%02x): ", op) + message);
  }

  /** The Python type of a pickled value, for messages. */
  static String typeName(Object o) {
    if (o == null) {
      return "None";
    } else if (o instanceof String) {
      return "str";
    } else if (o instanceof Long || o instanceof BigInteger) {
      return "int";
    } else if (o instanceof Double) {
      return "float";
    } else if (o instanceof Boolean) {
      return "bool";
    } else if (o instanceof byte[]) {
      return "bytes";
    } else if (o instanceof ArrayList) {
      return "list";
    } else if (o instanceof List) {
      return "tuple";
    } else if (o instanceof Map) {
      return "dict";
    } else if (o instanceof Set) {
      return "set";
    } else if (o instanceof TensorRef) {
      return "tensor";
    } else if (o instanceof Storage) {
      return "storage";
    } else if (o instanceof PyGlobal g) {
      return g.qualifiedName();
    }
    return o.getClass().getSimpleName();
  }

  /** Escapes control and non-ASCII characters and truncates, so hostile names print safely. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 200; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        b.append(c);
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    if (b.length() >= 200) {
      b.append("...");
    }
    return b.toString();
  }
}
