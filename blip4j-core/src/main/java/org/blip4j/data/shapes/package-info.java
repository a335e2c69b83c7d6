/**
 * The Shapes world ({@code shared/SHAPES.md}): a synthetic vision-language benchmark with a fixed
 * vocabulary. {@link org.blip4j.data.shapes.Scene} is the scene graph, {@link
 * org.blip4j.data.shapes.SceneRenderer} draws it, {@link org.blip4j.data.shapes.Claim} /
 * {@link org.blip4j.data.shapes.Captions} turn it into captions that are true by construction (and
 * noisy web captions checked to be false), and {@link org.blip4j.data.shapes.ShapesGenerator}
 * writes every split as BLIP annotation JSON, deterministically for a seed. {@link
 * org.blip4j.data.shapes.ShapesWorld} reads a generated world back and regenerates the scene of any
 * of its images; {@link org.blip4j.data.shapes.CaptionJudge} parses any caption back into claims
 * and judges it against a scene (the noise ratio of synthetic captions).
 */
package org.blip4j.data.shapes;
