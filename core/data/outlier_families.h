#pragma once

// Torch-free on purpose: config validation and help texts read the family names through this header.

#include <string>
#include <vector>

namespace tau::core {

/**
 * The synthetic outlier families outlier exposure can train against (loss.outlier_families), each made from the
 * step's own augmented views so no further data is needed:
 * - jigsaw: the image cut into a 4 x 4 grid of patches, shuffled (local statistics kept, object shape destroyed);
 * - smooth_field: a random 4 x 4 field per channel, bilinearly upsampled to the image size and spread over the
 *   views' value range (large smooth blobs, no edges, no object).
 * None of them is one of the study's evaluated OOD sets (another dataset, held-out classes, Gaussian pixel noise,
 * inverted images): the families must stay disjoint from what a detector is judged on.
 */
const std::vector<std::string>& outlierFamilyNames();

} // namespace tau::core
