/**
 * BLIP's text side before the model: {@link org.blip4j.text.BertTokenizer} (HF's slow
 * {@code BertTokenizer} over {@code bert-base-uncased} with BLIP's {@code [DEC]}/{@code [ENC]}),
 * its {@link org.blip4j.text.Encoding}/{@link org.blip4j.text.BatchEncoding} outputs, and
 * {@link org.blip4j.text.PreCaption} (BLIP's {@code pre_caption}/{@code pre_question}).
 */
package org.blip4j.text;
