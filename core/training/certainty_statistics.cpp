#include "core/training/certainty_statistics.h"

#include "core/distributed/communicator.h"
#include "core/training/distribution_summary.h"
#include "core/training/objective.h"

#include <torch/torch.h>

#include <vector>

namespace tau::core {

namespace {

std::vector<float> toVector(const torch::Tensor& values)
{
    const torch::Tensor contiguous = values.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return {contiguous.data_ptr<float>(), contiguous.data_ptr<float>() + contiguous.numel()};
}

/** c = sigmoid(r), computed in double whatever r's type, as a float vector. */
std::vector<float> certaintiesOf(const torch::Tensor& r)
{
    return toVector(torch::sigmoid(r.to(torch::kDouble)));
}

torch::Tensor joined(const std::vector<torch::Tensor>& steps)
{
    return steps.empty() ? torch::Tensor() : torch::cat(steps).reshape(-1);
}

} // namespace

/** The epoch's r values so far, one tensor per step, left on the training device until the epoch ends. */
struct CertaintyStatistics::Gathered
{
    std::vector<torch::Tensor> rawR;        ///< r of each step's training anchors (the global batch)
    std::vector<torch::Tensor> outlierRawR; ///< r of each step's synthetic outliers (outlier exposure)
};

CertaintyStatistics::CertaintyStatistics(int histogramBins)
    : m_histogramBins(histogramBins)
    , m_epoch(std::make_unique<Gathered>())
{
}

CertaintyStatistics::~CertaintyStatistics() = default;

void CertaintyStatistics::setUp(const TrainingSetUp& setUp)
{
    m_communicator = &setUp.communicator;
}

void CertaintyStatistics::onStepEnd(StepEnd& end)
{
    // Of the global batch: the histograms and the step means cover every rank's anchors.
    if (end.loss.rawR.defined()) {
        const torch::Tensor r = m_communicator->allGather(end.loss.rawR.detach());
        m_epoch->rawR.push_back(r);
        if (end.record) {
            const torch::Tensor r64 = r.to(torch::kDouble);
            end.record->meanRawR = r64.mean().item<double>();
            end.record->meanCertainty = torch::sigmoid(r64).mean().item<double>();
        }
    }
    if (end.loss.outlierRawR.defined()) {
        const torch::Tensor outlierR = m_communicator->allGather(end.loss.outlierRawR.detach());
        m_epoch->outlierRawR.push_back(outlierR);
        if (end.record) {
            end.record->meanOutlierCertainty = torch::sigmoid(outlierR.to(torch::kDouble)).mean().item<double>();
        }
    }
}

void CertaintyStatistics::onEpochEnd(EpochEnd& end)
{
    EpochRecord& record = end.record;
    const torch::Tensor rawR = joined(m_epoch->rawR);
    const torch::Tensor outlierRawR = joined(m_epoch->outlierRawR);
    m_epoch = std::make_unique<Gathered>();
    record.hasTemperature = rawR.defined();
    if (record.hasTemperature) {
        const std::vector<float> rawValues = toVector(rawR);
        const std::vector<float> certainties = certaintiesOf(rawR);
        record.certaintyHistogram = fixedHistogram(certainties, 0.0, 1.0, m_histogramBins);
        record.certaintyPercentiles = percentilesOf(certainties);
        // r has no natural range (c's is [0, 1]): its bins span this epoch's values, whatever their scale.
        record.rawHistogram = fittedHistogram(rawValues, 2 * m_histogramBins);
        record.rawPercentiles = percentilesOf(rawValues);
    }
    record.hasOutliers = outlierRawR.defined();
    if (record.hasOutliers) {
        const std::vector<float> outlierCertainties = certaintiesOf(outlierRawR);
        record.outlierCertaintyHistogram = fixedHistogram(outlierCertainties, 0.0, 1.0, m_histogramBins);
        record.outlierCertaintyPercentiles = percentilesOf(outlierCertainties);
    }
}

} // namespace tau::core
