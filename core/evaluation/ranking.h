#pragma once

// Torch-free API for the CLI and the GUI.

#include "core/common/cancellation.h"
#include "core/evaluation/evaluation_target.h"
#include "core/evaluation/ood_evaluation.h"

#include <string>

namespace tau::core {

struct RankingOptions : EvaluationTarget
{
    RankingOptions()
        : EvaluationTarget("rank")
    {
    }

    int perClass = 6; ///< images per class in each grid
    int scale = 2;    ///< pixels per image pixel in the PNG grids
};

struct RankingResult
{
    std::string directory; ///< most_certain.png, least_certain.png, rankings.csv
    bool cancelled = false;
};

/**
 * Ranks a TaU model's test images by certainty within each class (by r: sigmoid is monotone, and c ties at 1
 * where r does not) and writes, per class, the most and least certain as PNG grids (a row per class) and as
 * rankings.csv: class,class_name,kind,rank,index,r,c.
 */
RankingResult rankByCertainty(const RankingOptions& options, EvaluationObserver& observer,
                              const CancellationToken& cancel);

} // namespace tau::core
