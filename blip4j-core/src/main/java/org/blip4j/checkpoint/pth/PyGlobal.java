package org.blip4j.checkpoint.pth;

/**
 * The ALLOW-LIST of Python globals a checkpoint pickle may name. Anything else is refused before
 * it could matter; the ones here are never "called" — {@link Unpickler} implements what they would
 * build (a dict, a tensor view, a storage type tag) in plain Java.
 */
enum PyGlobal {
  ORDERED_DICT("collections", "OrderedDict", null),
  REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2", null),
  REBUILD_TENSOR("torch._utils", "_rebuild_tensor", null),
  REBUILD_PARAMETER("torch._utils", "_rebuild_parameter", null),
  REBUILD_PARAMETER_WITH_STATE("torch._utils", "_rebuild_parameter_with_state", null),
  FLOAT_STORAGE("torch", "FloatStorage", "F32"),
  HALF_STORAGE("torch", "HalfStorage", "F16"),
  BFLOAT16_STORAGE("torch", "BFloat16Storage", "BF16"),
  DOUBLE_STORAGE("torch", "DoubleStorage", "F64"),
  LONG_STORAGE("torch", "LongStorage", "I64"),
  INT_STORAGE("torch", "IntStorage", "I32"),
  SHORT_STORAGE("torch", "ShortStorage", "I16"),
  CHAR_STORAGE("torch", "CharStorage", "I8"),
  BYTE_STORAGE("torch", "ByteStorage", "U8"),
  BOOL_STORAGE("torch", "BoolStorage", "BOOL");

  final String module;
  final String name;
  /** For storage types: the dtype of their elements; null for callables. */
  final String dtype;

  PyGlobal(String module, String name, String dtype) {
    this.module = module;
    this.name = name;
    this.dtype = dtype;
  }

  /** The allow-listed global {@code module.name}, or null when it is not allowed. */
  static PyGlobal find(String module, String name) {
    // torch.storage.FloatStorage etc. are the same classes under their defining module
    String m = module.equals("torch.storage") ? "torch" : module;
    for (PyGlobal g : values()) {
      if (g.module.equals(m) && g.name.equals(name)) {
        return g;
      }
    }
    return null;
  }

  /** {@code module.name}. */
  String qualifiedName() {
    return module + "." + name;
  }

  @Override
  public String toString() {
    return qualifiedName();
  }
}
