#pragma once

// What every evaluation is pointed at and how it runs (tau ood, knn, linear-eval, embed, rank, export features and
// the explorer's scans): one struct, each default defined here once. The commands' option structs extend it.

#include <cstdint>
#include <string>

namespace tau::core {

/** Images per forward pass of an evaluation: every model pass defaults to it (model_pass.h too). */
constexpr int kEvaluationBatchSize = 256;

/** A checkpoint, the images it is evaluated on and how the passes run. */
struct EvaluationTarget
{
    /** @param defaultName where the command writes its results by default (RUN_DIR/eval/<name>) */
    explicit EvaluationTarget(std::string defaultName = {})
        : name(std::move(defaultName))
    {
    }

    std::string checkpoint;      ///< a checkpoint (.pt) of a run, or the run directory (its last.pt)
    std::string dataset;         ///< the (in-distribution) set evaluated; empty: the run's training set, test split
    long long limit = 0;         ///< at most N images per set, a seeded choice; 0: all
    std::string name;            ///< results go to RUN_DIR/eval/<name>/
    std::string device = "auto"; ///< auto, cpu, cuda or cuda:N
    int batchSize = kEvaluationBatchSize;
    int threads = 0;             ///< CPU threads; 0: one per core
    uint64_t seed = 1337;        ///< chooses the limited images and draws the synthetic sets
};

} // namespace tau::core
