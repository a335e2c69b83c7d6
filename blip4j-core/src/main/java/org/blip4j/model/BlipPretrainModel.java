package org.blip4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.blip4j.nn.Linear;
import org.blip4j.nn.Parameter;
import org.blip4j.nn.ParameterStore;
import org.blip4j.vision.VisionTransformer;

/**
 * The pre-training model ({@code BLIP_Pretrain}): ViT + MED whose image-grounded decoder shares
 * EVERY parameter with the text encoder except the self-attention blocks (one {@code Parameter}
 * object under both names; the LM head weight is the shared word embedding), momentum copies of the
 * ViT, text encoder and projections, feature queues with their pointer, and the learnable
 * temperature. The three objectives' deterministic pieces are exposed one by one — ITC
 * similarities against the queues and soft targets, ITM on given pairs, the LM loss; the training
 * loop (momentum update, enqueue, hard-negative sampling) belongs to {@code train/}.
 */
public final class BlipPretrainModel extends BlipPretrainedModel {
  /** Architecture name in our config.json (no HF class exists). */
  public static final String ARCHITECTURE = "BlipForPretraining";

  private final VisionTransformer visionM;
  private final TextTransformer textEncoder;
  private final TextTransformer textEncoderM;
  private final TextDecoder textDecoder;
  private final Linear visionProj;
  private final Linear textProj;
  private final Linear visionProjM;
  private final Linear textProjM;
  private final Linear itmHead;
  private final Parameter temp;
  private final Parameter imageQueue;
  private final Parameter textQueue;
  private final Parameter queuePtr;

  /** Builds the model with unset parameters; {@code queueSize} feature slots per queue (57 600 in the paper). */
  public BlipPretrainModel(BlipConfig config, int queueSize, NDManager parent) {
    super(config, parent);
    int h = config.text().hiddenSize();
    int d = config.imageTextHiddenSize();
    visionM = new VisionTransformer(config.vision(), store, "vision_model_m");
    textEncoder = new TextTransformer(config.text(), store, "text_encoder", false);
    textEncoderM = new TextTransformer(config.text(), store, "text_encoder_m", false);
    // decoder = encoder but for self-attention (tie_encoder_decoder_weights(..., '/attention'))
    store.share("text_decoder.bert.", "text_encoder.", rest -> !rest.contains(".attention."));
    textDecoder = new TextDecoder(config.text(), store, "text_decoder", true);
    visionProj = new Linear(store, "vision_proj", config.vision().hiddenSize(), d);
    textProj = new Linear(store, "text_proj", h, d);
    visionProjM = new Linear(store, "vision_proj_m", config.vision().hiddenSize(), d);
    textProjM = new Linear(store, "text_proj_m", h, d);
    itmHead = new Linear(store, "itm_head", h, 2);
    temp = store.create("temp", Parameter.Init.ONES);
    imageQueue = store.create("image_queue", Parameter.Init.NORMAL, d, queueSize);
    textQueue = store.create("text_queue", Parameter.Init.NORMAL, d, queueSize);
    queuePtr = store.create("queue_ptr", Parameter.Init.ZEROS, 1);
  }

  /** The momentum ViT. */
  public VisionTransformer visionMomentum() {
    return visionM;
  }

  /** The text encoder (unimodal and image-grounded). */
  public TextTransformer textEncoder() {
    return textEncoder;
  }

  /** The momentum text encoder. */
  public TextTransformer textEncoderMomentum() {
    return textEncoderM;
  }

  /** The image-grounded decoder (sharing all but self-attention with {@link #textEncoder()}). */
  public TextDecoder textDecoder() {
    return textDecoder;
  }

  /** The learnable temperature. */
  public Parameter temperature() {
    return temp;
  }

  /** Image-feature queue [D, Q] (columns are L2-normalised features). */
  public Parameter imageQueue() {
    return imageQueue;
  }

  /** Text-feature queue [D, Q]. */
  public Parameter textQueue() {
    return textQueue;
  }

  /** Next queue slot ([1], int64). */
  public Parameter queuePointer() {
    return queuePtr;
  }

  /** ITC image features: normalize(vision_proj(embeds[:, 0])). */
  public NDArray imageFeatures(NDArray imageEmbeds) {
    return Similarity.l2Normalize(visionProj.forward(imageEmbeds.get(new NDIndex(":, 0, :"))));
  }

  /** Momentum image embeds and features. */
  public NDArray[] imageMomentum(NDArray pixelValues) {
    NDArray embeds = visionM.forward(pixelValues, false).lastHiddenState();
    return new NDArray[] {embeds, imageFeaturesMomentum(embeds)};
  }

  /** Momentum image features of image states {@code imageEmbeds} [B, N, H]: the momentum projection of the [CLS] state. */
  public NDArray imageFeaturesMomentum(NDArray imageEmbeds) {
    return Similarity.l2Normalize(visionProjM.forward(imageEmbeds.get(new NDIndex(":, 0, :"))));
  }

  /** ITC text features from the unimodal encoder's [CLS]. */
  public NDArray textFeatures(NDArray inputIds, NDArray attentionMask) {
    return cls(textProj, textEncoder, inputIds, attentionMask);
  }

  /** Momentum ITC text features. */
  public NDArray textFeaturesMomentum(NDArray inputIds, NDArray attentionMask) {
    return cls(textProjM, textEncoderM, inputIds, attentionMask);
  }

  private static NDArray cls(Linear proj, TextTransformer encoder, NDArray ids, NDArray mask) {
    NDArray h = encoder.forward(ids, mask, TextTransformer.Mode.TEXT, null, null, false).lastHiddenState();
    return Similarity.l2Normalize(proj.forward(h.get(new NDIndex(":, 0, :"))));
  }

  /** {@code feat @ cat([bankFeat.T, queue], 1) / temp}: similarities [B, B + Q] against the batch and the queue. */
  public NDArray similarityWithQueue(NDArray feat, NDArray bankFeat, Parameter queue) {
    NDArray bank = NDArrays.concat(new NDList(bankFeat.transpose(), queue.array()), 1);
    return feat.matMul(bank).div(temp.array());
  }

  /** ITC soft targets: alpha·softmax(simMomentum) + (1 − alpha)·[I_B | 0]. */
  public static NDArray softTargets(NDArray simMomentum, float alpha) {
    NDManager m = simMomentum.getManager();
    long b = simMomentum.getShape().get(0);
    long n = simMomentum.getShape().get(1);
    return softTargets(simMomentum, alpha, m.eye((int) b, (int) n, 0, DataType.FLOAT32));
  }

  /** {@code alpha·softmax(sim_m) + (1 − alpha)·hard}, with {@code hard} the hard targets [B, B + Q] (rows summing to 1). */
  public static NDArray softTargets(NDArray simMomentum, float alpha, NDArray hard) {
    NDManager m = simMomentum.getManager();
    return simMomentum.softmax(1).mul(ParameterStore.scalar(m, alpha)).add(hard.mul(ParameterStore.scalar(m, 1 - alpha)));
  }

  /** ITC loss of one direction: mean over rows of −Σ log_softmax(sim)·targets. */
  public static NDArray contrastiveLoss(NDArray sim, NDArray targets) {
    return sim.logSoftmax(1).mul(targets).sum(new int[] {1}).mean().neg();
  }

  /** ITM logits [N, 2] of ([ENC]-first) texts grounded on the image rows {@code imageEmbeds} [N, L, H]. */
  public NDArray itmLogits(NDArray inputIds, NDArray attentionMask, NDArray imageEmbeds) {
    NDArray h = textEncoder.forward(inputIds, attentionMask, TextTransformer.Mode.MULTIMODAL, textEncoder.crossContext(imageEmbeds, null), null, false)
        .lastHiddenState();
    return itmHead.forward(h.get(new NDIndex(":, 0, :")));
  }

  /** LM logits [B, L, V] of ([DEC]-first) texts over image embeds. */
  public NDArray lmLogits(NDArray inputIds, NDArray attentionMask, NDArray imageEmbeds) {
    return textDecoder.forward(inputIds, attentionMask, textDecoder.bert().crossContext(imageEmbeds, null), null, false, false).logits();
  }

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }
}
