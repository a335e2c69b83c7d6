package org.blip4j.data;

/** Why a sample was skipped. */
public enum BadReason {
  /** The image file (or the shard's image member) does not exist. */
  MISSING_IMAGE,
  /** The image file or member has zero bytes. */
  EMPTY_FILE,
  /** The bytes are not a recognised image format (e.g. text named {@code .jpg}). */
  NOT_AN_IMAGE,
  /** A recognised format whose data is truncated or corrupt. */
  CORRUPT_IMAGE,
  /** The header declares more pixels than the decoder's limit; nothing was decoded. */
  DECOMPRESSION_BOMB,
  /** A caption (or a text line / field) is not valid UTF-8. */
  INVALID_UTF8,
  /** No caption, or a caption that is blank. */
  EMPTY_CAPTION,
  /** A record that is not valid JSON / CSV / tar, or lacks a required field. */
  MALFORMED_RECORD
}
