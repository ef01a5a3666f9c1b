#include "core/evaluation/image_scan.h"

#include "core/common/device.h"
#include "core/data/dataset_registry.h"
#include "core/evaluation/loaded_run.h"

#include <torch/torch.h>

#include <chrono>

namespace tau::core {

namespace {

template <typename T>
std::vector<T> toVector(const torch::Tensor& tensor)
{
    const torch::Tensor contiguous = tensor.contiguous();
    return std::vector<T>(contiguous.data_ptr<T>(), contiguous.data_ptr<T>() + contiguous.numel());
}

void copyImages(const ImageDataset& set, ScannedImages& scan)
{
    scan.count = set.size();
    scan.channels = int(set.channels());
    scan.height = scan.width = int(set.imageSize());
    scan.classNames = set.classNames;
    scan.labels.reserve(size_t(scan.count));
    for (const int64_t label : toVector<int64_t>(set.labels.to(torch::kLong))) {
        scan.labels.push_back(int(label));
    }
    if (set.images.defined()) {
        scan.pixels = toVector<uint8_t>(set.images);
    } else {
        scan.pixels.reserve(size_t(scan.count) * size_t(scan.channels * scan.height * scan.width));
    }
}

} // namespace

ScannedImages scanImages(const ImageScanOptions& options, EvaluationObserver& observer, const CancellationToken& cancel)
{
    using Clock = std::chrono::steady_clock;
    const torch::Device device = resolveDevice(options.device);
    configureThreads(options.threads);
    LoadedRun run = loadRun(options.checkpoint, "", 0, Split::Test, device);

    ScannedImages scan;
    scan.runDirectory = run.runDirectory;
    scan.checkpointFile = run.checkpointFile;
    scan.system = run.config.system;
    scan.inDataset = run.config.dataset.name;
    scan.temperature = run.config.loss.t;
    scan.outOfDistribution = !options.dataset.empty() && options.dataset != scan.inDataset;
    scan.dataset = scan.outOfDistribution ? options.dataset : scan.inDataset;
    scan.trainedClasses = run.config.dataset.classes;
    scan.mcDropout = run.config.model.mcDropout;
    if (!scan.outOfDistribution) {
        scan.oodChoices = availableOodSets(scan.inDataset, run.config.data);
    }

    ImageDataset full = scan.outOfDistribution ? loadOodSet(options.dataset, run.images, run.config.data, 0, options.seed)
                                               : run.images;
    // The seeded choice keeps the source indices, so a scanned image can be found again in the full set.
    const int64_t keep = options.limit > 0 ? std::min<int64_t>(options.limit, full.size()) : full.size();
    torch::Tensor chosen = torch::arange(full.size(), torch::kLong);
    if (keep < full.size()) {
        torch::Generator generator = at::detail::createCPUGenerator(options.seed);
        chosen = std::get<0>(torch::randperm(full.size(), generator, torch::kLong).slice(0, 0, keep).sort());
    }
    const ImageDataset set = keep < full.size() ? selectIndices(full, chosen) : full;
    scan.sourceIndices = toVector<int64_t>(chosen);
    copyImages(set, scan);

    const bool temperature = run.config.learnsTemperature();
    std::vector<torch::Tensor> certainties, features;
    const int64_t channels = run.images.channels();
    const auto start = Clock::now();
    torch::NoGradGuard noGrad;
    for (int64_t begin = 0; begin < set.size(); begin += options.batchSize) {
        if (cancel.stopRequested()) {
            scan.cancelled = true;
            return scan;
        }
        const int64_t end = std::min(set.size(), begin + options.batchSize);
        const torch::Tensor images = set.gather(torch::arange(begin, end, torch::kLong));
        if (!set.images.defined()) {
            const std::vector<uint8_t> decoded = toVector<uint8_t>(images);
            scan.pixels.insert(scan.pixels.end(), decoded.begin(), decoded.end());
        }
        const ModelOutput out =
            run.objective->infer(run.transform->evaluationView(matchChannels(images, channels).to(device)));
        features.push_back(out.features.to(torch::kCPU, torch::kFloat).flatten(1));
        if (temperature) {
            certainties.push_back(torch::sigmoid(out.rawR.to(torch::kCPU, torch::kDouble)));
        }
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        observer.onProgress("certainty", end, set.size(), elapsed / double(end) * double(set.size() - end));
    }
    if (!features.empty()) {
        const torch::Tensor h = torch::cat(features);
        scan.featureDim = h.size(1);
        scan.features = toVector<float>(h);
    }
    if (temperature && !certainties.empty()) {
        scan.certainty = toVector<double>(torch::cat(certainties));
    }
    return scan;
}

std::vector<std::string> availableOodSets(const std::string& inDataset, const DataSettings& settings)
{
    std::vector<std::string> real, synthetic;
    for (const DatasetInfo& info : datasetRegistry()) {
        if (info.name == inDataset || info.name == "folder") {
            continue;
        }
        if (info.synthetic) {
            synthetic.push_back(info.name);
        } else if (datasetAvailable(info.name, resolveDatasetRoot(info.name, "", settings))) {
            real.push_back(info.name);
        }
    }
    real.insert(real.end(), synthetic.begin(), synthetic.end());
    return real;
}

} // namespace tau::core
