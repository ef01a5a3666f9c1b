#include "core/evaluation/model_pass.h"

#include <torch/torch.h>

#include <algorithm>

namespace tau::core {

PassProgress::PassProgress(EvaluationObserver& observer, long long total)
    : m_observer(observer)
    , m_total(total)
    , m_start(std::chrono::steady_clock::now())
{
}

void PassProgress::advance(const std::string& stage, long long images)
{
    m_done += images;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    const double perImage = elapsed / double(std::max<long long>(1, m_done));
    m_observer.onProgress(stage, m_done, m_total, perImage * double(std::max<long long>(0, m_total - m_done)));
}

bool forEachBatch(const EvaluatedModel& model, const ImageDataset& set, const PassOptions& options,
                  PassProgress& progress, const CancellationToken& cancel, const std::function<void(const PassBatch&)>& visit)
{
    torch::NoGradGuard noGrad;
    for (int64_t begin = 0; begin < set.size(); begin += options.batchSize) {
        if (cancel.stopRequested()) {
            return false;
        }
        PassBatch batch;
        batch.begin = begin;
        batch.end = std::min(set.size(), begin + options.batchSize);
        batch.images = set.gather(torch::arange(batch.begin, batch.end, torch::kLong));
        batch.inputs = model.transform->evaluationView(matchChannels(batch.images, model.channels).to(model.device));
        batch.output = model.objective->infer(batch.inputs);
        visit(batch);
        progress.advance(options.stage, batch.end - batch.begin);
    }
    return !cancel.stopRequested();
}

torch::Tensor matchChannels(const torch::Tensor& images, int64_t channels)
{
    if (images.size(1) == channels) {
        return images;
    }
    if (channels == 1) {
        const torch::Tensor f = images.to(torch::kFloat);
        return (0.299 * f.select(1, 0) + 0.587 * f.select(1, 1) + 0.114 * f.select(1, 2)).round().unsqueeze(1).to(torch::kUInt8);
    }
    return images.expand({images.size(0), channels, images.size(2), images.size(3)});
}

} // namespace tau::core
