#include "core/evaluation/image_scan.h"

#include "core/common/device.h"
#include "core/data/dataset_registry.h"
#include "core/common/tensor_vector.h"
#include "core/common/torch_errors.h"
#include "core/evaluation/loaded_run.h"
#include "core/methods/score_catalog.h"

#include <torch/torch.h>


namespace tau::core {

namespace {

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

ScannedImages scanRun(const ImageScanOptions& options, EvaluationObserver& observer, const CancellationToken& cancel)
{
    const torch::Device device = resolveDevice(options.device);
    configureThreads(options.threads);
    LoadedRun run = loadRun(options.checkpoint, "", 0, Split::Test, device);

    ScannedImages scan;
    scan.runDirectory = run.runDirectory;
    scan.checkpointFile = run.checkpointFile;
    scan.system = run.config.system;
    scan.inDataset = run.config.dataset.name;
    scan.temperature = run.config.loss.t;
    scan.applicableScores = applicableScores(run.config);
    scan.defaultScores = defaultScores(run.config);
    scan.learnsTemperature = systemOf(run.config).learnsTemperature;
    scan.systemTitle = systemOf(run.config).title;
    scan.outOfDistribution = !options.dataset.empty() && options.dataset != scan.inDataset;
    scan.dataset = scan.outOfDistribution ? options.dataset : scan.inDataset;
    scan.trainedClasses = run.config.dataset.classes;
    scan.heldOutSet = heldOutClassesSet(scan.inDataset, scan.trainedClasses, int(run.images.classNames.size()));
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

    const bool temperature = scan.learnsTemperature;
    std::vector<torch::Tensor> certainties, features;
    PassProgress progress(observer, set.size());
    PassOptions pass;
    pass.batchSize = options.batchSize;
    pass.stage = "certainty";
    const bool finished = forEachBatch(run.model(), set, pass, progress, cancel, [&](const PassBatch& batch) {
        if (!set.images.defined()) {
            const std::vector<uint8_t> decoded = toVector<uint8_t>(batch.images);
            scan.pixels.insert(scan.pixels.end(), decoded.begin(), decoded.end());
        }
        features.push_back(batch.output.features.to(torch::kCPU, torch::kFloat).flatten(1));
        if (temperature) {
            certainties.push_back(torch::sigmoid(batch.output.rawR.to(torch::kCPU, torch::kDouble)));
        }
    });
    if (!finished) {
        scan.cancelled = true;
        return scan;
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

} // namespace

ScannedImages scanImages(const ImageScanOptions& options, EvaluationObserver& observer, const CancellationToken& cancel)
{
    return translateTorchErrors("scanning", [&] { return scanRun(options, observer, cancel); });
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
