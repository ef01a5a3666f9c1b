#include "core/evaluation/knn_monitor.h"

#include "core/common/error.h"
#include "core/common/tensor_vector.h"
#include "core/data/augmentation.h"
#include "core/data/dataset_registry.h"
#include "core/evaluation/model_pass.h"
#include "core/evaluation/representation_evaluation.h"

#include <torch/torch.h>

namespace tau::core {

struct KnnMonitor::Sets
{
    ImageDataset reference;
    ImageDataset queries;
    std::unique_ptr<ViewAugmenter> transform;
};

namespace {

constexpr int kNeighbours = 200;
constexpr double kTemperature = 0.1;

ImageDataset heldOutImages(const ExperimentConfig& config, Split split)
{
    DataConfig data = config.dataset;
    data.trainSubset = 0;
    data.limit = config.logging.knnImages;
    return loadDataset(data, split, config.data);
}

/** h of every image of @p set, or nothing when cancelled. */
std::optional<torch::Tensor> featuresOf(const EvaluatedModel& model, const ImageDataset& set, const CancellationToken& cancel)
{
    EvaluationObserver quiet;
    PassProgress progress(quiet);
    std::vector<torch::Tensor> rows;
    PassOptions pass;
    pass.stage = "kNN monitor";
    const bool finished = forEachBatch(model, set, pass, progress, cancel, [&](const PassBatch& batch) {
        rows.push_back(batch.output.features.flatten(1).to(torch::kCPU, torch::kFloat));
    });
    if (!finished) {
        return std::nullopt;
    }
    return torch::cat(rows);
}

} // namespace

KnnMonitor::KnnMonitor(const ExperimentConfig& config)
    : m_sets(std::make_unique<Sets>())
    , m_config(config)
    , m_every(config.logging.knnEvery)
{
}

void KnnMonitor::setUp(const TrainingSetUp& setUp)
{
    m_device = setUp.device;
    m_sets->reference = heldOutImages(m_config, Split::Train);
    m_sets->queries = heldOutImages(m_config, Split::Test);
    if (m_sets->reference.labels.numel() == 0 || m_sets->reference.labels.min().item<int64_t>() < 0 ||
        m_sets->queries.labels.numel() == 0 || m_sets->queries.labels.min().item<int64_t>() < 0) {
        throw ConfigError(m_config.sourcePath, 0, "logging.knn_every",
                          "expected 0 for a dataset without labels (" + m_config.dataset.name +
                              " has unlabelled images: kNN top-1 needs classes), got " + std::to_string(m_every));
    }
    AugmentationOptions evaluation;
    evaluation.cropSize = m_sets->reference.inputSize();
    evaluation.mean = m_sets->reference.mean;
    evaluation.std = m_sets->reference.std;
    m_sets->transform = std::make_unique<ViewAugmenter>(evaluation);
}

void KnnMonitor::onEpochEnd(EpochEnd& end)
{
    if (!due(end.epochsDone, end.totalEpochs)) {
        return;
    }
    if (const std::optional<double> measured = top1(end.objective, end.cancel)) {
        end.record.scalars["knn_top1"] = *measured;
    }
}

KnnMonitor::~KnnMonitor() = default;

bool KnnMonitor::due(int epochsDone, int totalEpochs) const
{
    return m_every > 0 && (epochsDone % m_every == 0 || epochsDone == totalEpochs);
}

std::optional<double> KnnMonitor::top1(TrainingObjective& objective, const CancellationToken& cancel) const
{
    EvaluatedModel model;
    model.objective = &objective;
    model.transform = m_sets->transform.get();
    model.channels = m_sets->reference.channels();
    model.device = m_device;
    objective.setTraining(false);
    const std::optional<torch::Tensor> reference = featuresOf(model, m_sets->reference, cancel);
    const std::optional<torch::Tensor> queries = reference ? featuresOf(model, m_sets->queries, cancel) : std::nullopt;
    objective.setTraining(true);
    if (!queries) {
        return std::nullopt;
    }
    const int64_t dim = reference->size(1);
    return weightedKnnTop1(toVector<float>(*reference), toVector<int64_t>(m_sets->reference.labels.to(torch::kLong)),
                           toVector<float>(*queries), toVector<int64_t>(m_sets->queries.labels.to(torch::kLong)), dim,
                           kNeighbours, kTemperature, m_device.str());
}

} // namespace tau::core
