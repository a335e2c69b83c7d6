/**
 * BLIP's training-time image transform, ported from salesforce/BLIP {@code data/__init__.py} and
 * {@code transform/randaugment.py}: {@link org.blip4j.data.transform.RandomResizedCrop} (torchvision
 * semantics, Pillow bicubic), {@link org.blip4j.data.transform.HorizontalFlip} (caption-aware:
 * left/right words are swapped or the flip is skipped, see {@link
 * org.blip4j.data.transform.FlipPolicy}), {@link org.blip4j.data.transform.RandAugment} (BLIP's
 * OpenCV/numpy ops, OpenCV fixed-point {@code warpAffine}) and {@link
 * org.blip4j.data.transform.TrainTransform}, which chains them and normalises like the eval
 * transform. All randomness comes from an explicit {@link java.util.SplittableRandom}.
 */
package org.blip4j.data.transform;
