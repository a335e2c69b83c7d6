package org.blip4j.task;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.BufferedImageFactory;
import ai.djl.modality.cv.Image;
import javax.imageio.ImageIO;
import org.blip4j.testing.Fixtures;
import org.junit.jupiter.api.Test;

/** DJL users: a standard Predictor<Image, String> gives the same caption as HF. */
class CaptionTranslatorTest {
  @Test
  void predictorCaptionsLikeHf() throws Exception {
    String expected = Fixtures.json("caption/case.json").get("generation").get("beam3_prompt").get("caption_after_prompt").get(1).asText();
    try (Captioner captioner = Captioner.load(Fixtures.fixture("caption"));
        Predictor<Image, String> predictor = CaptionTranslator.newPredictor(captioner, Captioner.Options.defaults())) {
      Image image = BufferedImageFactory.getInstance().fromImage(ImageIO.read(Fixtures.fixture("preprocess/images/chelsea.png").toFile()));
      assertThat(predictor.predict(image)).isEqualTo(expected);
    }
  }
}
