#include "core/evaluation/model_pass.h"

#include "core/distributed/communicator.h"

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

namespace {

int64_t batchesOf(const PassOptions& options, int64_t setSize)
{
    return (setSize + options.batchSize - 1) / options.batchSize;
}

/** This rank's batches [first, last) of the pass. */
std::pair<int64_t, int64_t> batchRange(const PassOptions& options, int64_t setSize)
{
    const int64_t batches = batchesOf(options, setSize);
    if (!passIsSharded(options, setSize)) {
        return {0, batches};
    }
    const int64_t rank = options.shards->rank(), world = options.shards->worldSize();
    return {batches * rank / world, batches * (rank + 1) / world};
}

} // namespace

bool passIsSharded(const PassOptions& options, int64_t setSize)
{
    return options.shards != nullptr && options.shards->worldSize() > 1 &&
           batchesOf(options, setSize) >= options.shards->worldSize();
}

torch::Tensor gatherRows(const PassOptions& options, int64_t setSize, const torch::Tensor& local)
{
    return passIsSharded(options, setSize) ? options.shards->allGatherUneven(local.contiguous()) : local;
}

std::vector<double> gatherRows(const PassOptions& options, int64_t setSize, const std::vector<double>& local)
{
    if (!passIsSharded(options, setSize)) {
        return local;
    }
    const torch::Tensor all = options.shards->allGatherUneven(torch::tensor(local, torch::kDouble)).contiguous();
    return {all.data_ptr<double>(), all.data_ptr<double>() + all.numel()};
}

bool forEachBatch(const EvaluatedModel& model, const ImageDataset& set, const PassOptions& options,
                  PassProgress& progress, const CancellationToken& cancel, const std::function<void(const PassBatch&)>& visit)
{
    torch::NoGradGuard noGrad;
    const auto [firstBatch, lastBatch] = batchRange(options, set.size());
    for (int64_t begin = firstBatch * options.batchSize; begin < std::min(set.size(), lastBatch * options.batchSize);
         begin += options.batchSize) {
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
        // Each rank reports for the whole job: the others advance alike through their batches.
        const int64_t ranks = passIsSharded(options, set.size()) ? options.shards->worldSize() : 1;
        progress.advance(options.stage, std::min<int64_t>(set.size(), (batch.end - batch.begin) * ranks));
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
