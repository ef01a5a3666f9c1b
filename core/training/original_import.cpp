#include "core/training/original_import.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/data/dataset_registry.h"
#include "core/io/run_directory.h"
#include "core/io/torch_archive.h"
#include "core/methods/system_catalog.h"
#include "core/training/checkpoint.h"
#include "core/training/objective.h"
#include "core/training/tensor_dict.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <filesystem>
#include <set>

namespace tau::core {

namespace fs = std::filesystem;

std::map<std::string, torch::Tensor> loadTensorDict(const std::string& path)
{
    if (!std::filesystem::is_regular_file(path)) {
        throw DataError(path + ": cannot open the converted checkpoint");
    }
    // Checked before LibTorch's unpickler sees it: every size it declares must fit the file (torch_archive.h).
    std::vector<uint8_t> audited;
    if (const TorchArchiveAudit audit = auditTorchFile(path, &audited); !audit.problem.empty()) {
        throw DataError(path + ": not a converted checkpoint that can be read safely: " + audit.problem +
                        "; convert the original checkpoint again with packaging/tools/convert_original_checkpoint.py");
    }
    const std::vector<char> bytes(audited.begin(), audited.end());
    audited = {};
    torch::IValue value;
    try {
        value = torch::pickle_load(bytes);
    } catch (const std::exception& error) {
        throw DataError(path + ": not a file of torch.save (" + std::string(error.what()).substr(0, 200) +
                        "); convert the original checkpoint with packaging/tools/convert_original_checkpoint.py");
    }
    if (!value.isGenericDict()) {
        throw DataError(path + ": expected a dict of tensors, as convert_original_checkpoint.py writes");
    }
    std::map<std::string, torch::Tensor> tensors;
    for (const auto& entry : value.toGenericDict()) {
        if (!entry.key().isString() || !entry.value().isTensor()) {
            // LibTorch 2.x unpickles a raw Lightning checkpoint this far (1.13 stopped at its first unknown class).
            throw DataError(path + ": expected a dict of tensors, found an entry that is not name -> tensor" +
                            (entry.key().isString() ? " ('" + entry.key().toStringRef() + "')" : std::string()) +
                            "; convert the original checkpoint with packaging/tools/convert_original_checkpoint.py");
        }
        tensors[entry.key().toStringRef()] = entry.value().toTensor();
    }
    return tensors;
}

void copyNamedTensors(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                      const std::string& source)
{
    std::set<std::string> unused;
    for (const auto& entry : tensors) {
        unused.insert(entry.first);
    }
    std::string missing, misshapen;
    torch::NoGradGuard noGrad;
    const auto copy = [&](const std::string& name, torch::Tensor& target) {
        const auto found = tensors.find(name);
        if (found == tensors.end()) {
            missing += (missing.empty() ? "" : ", ") + name;
            return;
        }
        unused.erase(name);
        if (found->second.sizes() != target.sizes()) {
            std::ostringstream shapes;
            shapes << name << " " << found->second.sizes() << " (expected " << target.sizes() << ")";
            misshapen += (misshapen.empty() ? "" : ", ") + shapes.str();
            return;
        }
        target.copy_(found->second.to(target.dtype()));
    };
    for (auto& parameter : module.named_parameters()) {
        copy(parameter.key(), parameter.value());
    }
    for (auto& buffer : module.named_buffers()) {
        copy(buffer.key(), buffer.value());
    }
    std::string extra;
    for (const std::string& name : unused) {
        extra += (extra.empty() ? "" : ", ") + name;
    }
    if (!missing.empty() || !misshapen.empty() || !extra.empty()) {
        throw DataError(source + ": does not fit the config's model." + (missing.empty() ? "" : " Missing: " + missing + ".") +
                        (misshapen.empty() ? "" : " Wrong shape: " + misshapen + ".") +
                        (extra.empty() ? "" : " Not in the model: " + extra + ".") +
                        " Check model.encoder, conv3x3, out_dim, final_bn and posterior_head against the original run.");
    }
}

ImportResult importConvertedCheckpoint(const ImportOptions& options)
{
    ConfigLoadOptions loadOptions;
    // The original's configs say cuda: true; an imported run should open on whatever this machine has.
    loadOptions.overrides = {"device=auto"};
    loadOptions.overrides.insert(loadOptions.overrides.end(), options.overrides.begin(), options.overrides.end());
    if (!options.dataset.empty()) {
        loadOptions.overrides.push_back("dataset.name=" + options.dataset);
    }
    if (!options.expName.empty()) {
        loadOptions.overrides.push_back("exp_name=" + options.expName);
    }
    ExperimentConfig config = loadConfigFile(options.config, loadOptions);
    config.runsDir = options.runsDir;
    const std::map<std::string, torch::Tensor> tensors = loadTensorDict(options.weights);

    const DatasetInfo& dataset = datasetInfo(config.dataset.name);
    const int64_t imageSize = config.dataset.imageSize > 0 ? config.dataset.imageSize : dataset.imageSize;
    const int64_t classes = systemOf(config).classifier ? int64_t(tensors.count("classifier.bias") > 0
                                                                        ? tensors.at("classifier.bias").size(0)
                                                                        : 10)
                                                          : 0;
    const ModelInput input{dataset.channels, imageSize, classes};
    std::unique_ptr<TrainingObjective> objective = makeObjective(config, input, torch::kCPU);
    copyNamedTensors(objective->model(), tensors, options.weights);

    const RunPaths paths = createRunDirectory(config.runsDir, config.expName);
    writeFileAtomically(paths.config(), toYaml(config));
    fs::create_directories(paths.checkpoints());
    saveCheckpoint(paths.lastCheckpoint(), objective->model(), nullptr, TrainingPosition{});
    recordTrainingSession(paths, {"import", "tau", options.commandLine, "cpu", 1});
    return {paths.root, tensors.size()};
}

} // namespace tau::core
