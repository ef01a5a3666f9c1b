#include "core/evaluation/notebook_export.h"

#include "core/common/device.h"
#include "core/common/error.h"
#include "core/common/tensor_vector.h"
#include "core/common/torch_errors.h"
#include "core/data/dataset_registry.h"
#include "core/evaluation/loaded_run.h"
#include "core/io/durable_file.h"
#include "core/io/npy_file.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/pickler.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <filesystem>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

/**
 * @p value as torch.save writes it (a zip of data.pkl and the tensors' bytes), as torch::pickle_save does but without
 * wrapping dicts in torch.jit._pickle.restore_type_tag: that global is code to PyTorch's weights_only unpickler,
 * the default of torch.load since 2.6, so a tagged state dict would not load there.
 */
std::vector<char> pickleForTorchLoad(const c10::IValue& value)
{
    std::vector<char> pickled;
    torch::jit::Pickler pickler([&](const char* bytes, size_t size) { pickled.insert(pickled.end(), bytes, bytes + size); },
                                nullptr, nullptr, nullptr, nullptr, /*tag_aggregates=*/false);
    pickler.protocol();
    pickler.pushIValue(value);
    pickler.stop();
    std::vector<char> archive;
    {
        caffe2::serialize::PyTorchStreamWriter writer([&](const void* bytes, size_t size) {
            archive.insert(archive.end(), static_cast<const char*>(bytes), static_cast<const char*>(bytes) + size);
            return size;
        });
        torch::jit::writeArchiveAndTensors("data", pickled.data(), pickled.size(), pickler.tensorData(), writer);
    } // the writer's destructor writes the zip's directory
    return archive;
}

NpyArray npyOf(const torch::Tensor& tensor)
{
    const torch::Tensor t = tensor.to(torch::kCPU).contiguous();
    const std::vector<int64_t> shape = t.sizes().vec();
    if (t.scalar_type() == torch::kLong) {
        return npyArray(toVector<int64_t>(t), shape);
    }
    if (t.scalar_type() == torch::kDouble) {
        return npyArray(toVector<double>(t), shape);
    }
    return npyArray(toVector<float>(t.to(torch::kFloat)), shape);
}

/** A set's name as a folder name: what a file gave (a class list, a path) never leaves the export folder. */
std::string folderName(const std::string& set)
{
    std::string name;
    for (const char c : set) {
        name += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '@' || c == '+' ? c : '_';
    }
    return name.empty() || name == "." || name == ".." ? "set" : name;
}

ExportedSet exportSet(const std::string& name, const ImageDataset& set, const LoadedRun& run, const std::string& root,
                      PassProgress& progress, const FeatureExportOptions& options, const CancellationToken& cancel,
                      bool& finished)
{
    std::vector<torch::Tensor> h, loc, r;
    PassOptions pass;
    pass.batchSize = options.batchSize;
    pass.stage = name;
    finished = forEachBatch(run.model(), set, pass, progress, cancel, [&](const PassBatch& batch) {
        h.push_back(batch.output.features.flatten(1).to(torch::kCPU, torch::kFloat));
        loc.push_back(batch.output.loc.to(torch::kCPU, torch::kFloat));
        if (batch.output.rawR.defined()) {
            r.push_back(batch.output.rawR.to(torch::kCPU, torch::kDouble));
        }
    });
    ExportedSet exported{name, root + "/" + folderName(name), set.size(), {}};
    if (!finished) {
        return exported;
    }
    fs::create_directories(exported.folder);
    const auto write = [&](const std::string& file, const torch::Tensor& tensor) {
        writeNpy(exported.folder + "/" + file, npyOf(tensor));
        exported.files.push_back(file);
    };
    write("h.npy", torch::cat(h));
    write("loc.npy", torch::cat(loc));
    if (!r.empty()) {
        const torch::Tensor rs = torch::cat(r);
        write("r.npy", rs);
        write("c.npy", torch::sigmoid(rs)); // float64: c ties at 1 in float32 where r still differs
    }
    write("label.npy", set.labels.to(torch::kLong));
    write("index.npy", torch::arange(set.size(), torch::kLong));
    write("source_index.npy", set.positionsInSource());
    return exported;
}

FeatureExportResult runFeatureExport(const FeatureExportOptions& options, EvaluationObserver& observer,
                                     const CancellationToken& cancel)
{
    configureThreads(options.threads);
    RunLoadOptions load;
    load.checkpoint = options.checkpoint;
    load.datasetOverride = options.dataset;
    load.limit = options.limit;
    load.dataRoots = options.data.roots;
    const LoadedRun run = loadRun(load, resolveDevice(options.device));
    std::vector<std::pair<std::string, ImageDataset>> sets = {{run.data.name, run.images}};
    for (const std::string& name : options.datasets) {
        sets.emplace_back(name, loadOodSet(name, run.images, run.config.data, options.limit, options.seed));
    }
    if (options.trainSplit) {
        DataConfig train = run.data;
        train.limit = options.limit;
        sets.emplace_back(run.data.name + "_train", loadDataset(train, Split::Train, run.config.data));
    }
    FeatureExportResult result;
    result.folder = options.output.empty() ? run.paths.root + "/exports/features" : options.output;
    PassProgress progress(observer);
    for (const auto& [name, set] : sets) {
        progress.addToTotal(set.size());
    }
    for (const auto& [name, set] : sets) {
        bool finished = false;
        result.sets.push_back(exportSet(name, set, run, result.folder, progress, options, cancel, finished));
        if (!finished) {
            result.cancelled = true;
            result.sets.pop_back();
            break;
        }
    }
    return result;
}

} // namespace

FeatureExportResult exportFeatures(const FeatureExportOptions& options, EvaluationObserver& observer,
                                   const CancellationToken& cancel)
{
    return translateTorchErrors("feature export", [&] { return runFeatureExport(options, observer, cancel); });
}

WeightExportResult exportWeights(const WeightExportOptions& options)
{
    return translateTorchErrors("weight export", [&] {
        ExperimentConfig config;
        const std::unique_ptr<TrainingObjective> objective = loadTrainedModel(options.checkpoint, config, torch::kCPU);
        torch::nn::Module& model = objective->model();
        WeightExportResult result;
        result.file = options.output;
        result.encoder = config.model.encoder;
        c10::Dict<std::string, at::Tensor> state; // insertion-ordered, as a state dict is
        const auto add = [&](const std::string& name, const torch::Tensor& value) {
            const std::string prefix = "encoder.";
            const bool encoder = name.rfind(prefix, 0) == 0;
            if (!encoder && !options.withHead) {
                return;
            }
            const std::string key = encoder ? name.substr(prefix.size()) : name; // torchvision's names
            state.insert(key, value.detach().to(torch::kCPU).clone());
            result.names.push_back(key);
        };
        for (const auto& item : model.named_parameters()) {
            add(item.key(), item.value());
        }
        for (const auto& item : model.named_buffers()) {
            add(item.key(), item.value());
        }
        const std::vector<char> bytes = pickleForTorchLoad(c10::IValue(state));
        writeFileDurably(options.output, [&](const std::function<void(const void*, size_t)>& sink) {
            sink(bytes.data(), bytes.size());
        });
        return result;
    });
}

} // namespace tau::core
