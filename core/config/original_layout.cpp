#include "core/config/original_layout.h"

#include "core/common/error.h"
#include "core/io/run_directory.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <vector>

namespace tau::core {

namespace {

const std::map<std::string, std::string> kSystems = {
    {"SimCLRSystem", "simclr"},         {"TaU_SimCLRSystem", "tau_simclr"},
    {"MoCoV2System", "mocov2"},         {"TaU_MoCoV2System", "tau_mocov2"},
    {"HIBSystem", "hib"},               {"SupervisedSystem", "supervised"},
    {"Pretrained_TaU_SimCLRSystem", "posthoc_tau"}, {"TransferSystem", "linear_eval"},
};

/** Keys the original reads (or carries) that have no meaning in this program. */
const char* const kIgnoredTopLevel[] = {"validate", "copy_checkpoint_freq", "val_check_interval", "limit_val_batches",
                                        "distributed_backend", "exp_dir", "checkpoint_dir", "out_dir", "log_dir"};
const char* const kIgnoredDataset[] = {"num_workers", "two_views", "use_views", "num_views", "in_dataset", "out_datasets"};
const char* const kIgnoredLoss[] = {"save_variances", "save_images"};
const char* const kIgnoredModel[] = {"final_dp", "in_dim", "magnitude", "temperature"};

int lineOf(const YAML::Node& node)
{
    return (node && !node.Mark().is_null()) ? node.Mark().line + 1 : 0;
}

/** @p node (the value of @p key) as a T, or a ConfigError naming the key and its line. */
template <typename T>
T valueAt(const YAML::Node& node, const std::string& key, const std::string& source, const char* expected)
{
    try {
        return node.as<T>();
    } catch (const YAML::Exception&) {
        throw ConfigError(source, lineOf(node), key, std::string("expected ") + expected);
    }
}

void moveKey(YAML::Node map, const std::string& from, const std::string& to)
{
    if (map[from]) {
        map[to] = map[from];
        map.remove(from);
    }
}

/** Removes the keys of @p map named by [begin, end), adding "prefix.key (line N)" for each to @p dropped. */
void dropKeys(YAML::Node map, const std::string& prefix, const char* const* begin, const char* const* end,
              std::vector<std::string>& dropped)
{
    if (!map || !map.IsMap()) {
        return;
    }
    for (const char* const* key = begin; key != end; ++key) {
        if (map[*key]) {
            const int line = lineOf(map[*key]);
            dropped.push_back(prefix + *key + (line > 0 ? " (line " + std::to_string(line) + ")" : ""));
            map.remove(*key);
        }
    }
}

void translateSystem(YAML::Node root, const std::string& source)
{
    const std::string system = root["system"].as<std::string>();
    const auto found = kSystems.find(system);
    if (found == kSystems.end()) {
        std::string known;
        for (const auto& [name, ours] : kSystems) {
            known += (known.empty() ? "" : ", ") + name;
        }
        throw ConfigError(source, lineOf(root["system"]), "system", "expected one of " + known + ", got '" + system + "'");
    }
    root["system"] = found->second;
}

void translateDevice(YAML::Node root, const std::string& source)
{
    if (!root["cuda"] && !root["gpu_device"]) {
        return;
    }
    const bool cuda = root["cuda"] && valueAt<bool>(root["cuda"], "cuda", source, "true or false");
    const YAML::Node gpu = root["gpu_device"];
    const int index = gpu && !gpu.IsNull() ? valueAt<int>(gpu, "gpu_device", source, "a device index") : 0;
    root["device"] = cuda ? "cuda:" + std::to_string(index) : std::string("cpu");
    root.remove("cuda");
    root.remove("gpu_device");
}

void translateModel(YAML::Node model, const std::string& source)
{
    if (!model || !model.IsMap()) {
        return;
    }
    if (model["base_model"]) {
        std::string base = valueAt<std::string>(model["base_model"], "model.base_model", source, "an encoder name");
        if (base.rfind("dp_", 0) == 0) {
            model["mc_dropout"] = true;
            base = base.substr(3);
        }
        if (base == "resnet50_pretrained") {
            throw ConfigError(source, lineOf(model["base_model"]), "model.base_model",
                              "resnet50_pretrained downloads ImageNet weights, which cannot be fetched here; export "
                              "such an encoder to TorchScript and use model.encoder_torchscript");
        }
        model["encoder"] = base;
        model.remove("base_model");
    }
    const YAML::Node encoder = model["encoder"];
    if (encoder && encoder.IsMap()) {
        // {exp_dir, checkpoint_name}: a model trained earlier, frozen for post-hoc TaU (or linear evaluation).
        const std::string directory = encoder["exp_dir"] ? encoder["exp_dir"].as<std::string>() : std::string();
        const std::string name = encoder["checkpoint_name"] ? encoder["checkpoint_name"].as<std::string>("") : "";
        model["encoder_checkpoint"] = name.empty() ? directory : RunPaths{directory}.checkpoint(name);
        model.remove("encoder");
        model["encoder"] = "small_cnn"; // replaced by the frozen encoder's own config when it loads
    } else if (encoder && encoder.IsScalar()) {
        const std::string name = encoder.as<std::string>();
        if (name == "simclr" || name == "byol" || name == "clip" || name == "resnet") {
            throw ConfigError(source, lineOf(encoder), "model.encoder",
                              "the pretrained '" + name + "' encoder is downloaded by the original and cannot be "
                              "fetched here; export it to TorchScript and set model.encoder_torchscript instead");
        }
    }
}

void checkPosterior(YAML::Node root, const std::string& source)
{
    YAML::Node loss = root["loss"];
    if (!loss || !loss.IsMap() || !loss["posterior"]) {
        return;
    }
    const std::string posterior = valueAt<std::string>(loss["posterior"], "loss.posterior", source, "gaussian or gaussian_hib");
    const std::string system = root["system"].as<std::string>();
    const bool hib = system == "hib";
    if ((posterior == "gaussian_hib") != hib || (posterior != "gaussian" && posterior != "gaussian_hib")) {
        throw ConfigError(source, lineOf(loss["posterior"]), "loss.posterior",
                          std::string("expected ") + (hib ? "gaussian_hib" : "gaussian") + " for system " + system +
                              ", got '" + posterior + "'");
    }
    loss.remove("posterior");
}

/**
 * The original's TaU-SimCLR loss (post-hoc TaU trains with it too) puts the first view's c in the numerator of
 * both rows of a pair; our default is the anchor's own c (the README's "What it trains"). A config in its layout trains its loss.
 */
void useOriginalNumerator(YAML::Node root)
{
    const std::string system = root["system"].as<std::string>();
    if (system != "tau_simclr" && system != "posthoc_tau") {
        return;
    }
    if (!root["loss"] || root["loss"].IsNull()) {
        root["loss"] = YAML::Node(YAML::NodeType::Map);
    }
    YAML::Node loss = root["loss"];
    if (loss.IsMap() && !loss["tau_numerator"]) {
        loss["tau_numerator"] = "first_view";
    }
}

} // namespace

bool isOriginalLayout(const YAML::Node& root)
{
    if (!root.IsMap() || !root["system"] || !root["system"].IsScalar()) {
        return false;
    }
    const std::string system = root["system"].Scalar();
    return system.size() > 6 && system.compare(system.size() - 6, 6, "System") == 0;
}

void translateOriginalLayout(YAML::Node root, const std::string& source,
                             const std::function<void(const std::string&)>& note)
{
    translateSystem(root, source);
    checkPosterior(root, source);
    useOriginalNumerator(root);
    moveKey(root, "exp_base", "runs_dir");
    if (root["runs_dir"] && root["runs_dir"].IsNull()) {
        root.remove("runs_dir"); // the repository ships exp_base: null
    }
    translateDevice(root, source);
    translateModel(root["model"], source);
    if (root["continue_from_checkpoint"] && root["continue_from_checkpoint"].IsNull()) {
        root.remove("continue_from_checkpoint");
    }
    if (root["dataset"] && root["dataset"]["name"] && root["dataset"]["name"].IsNull()) {
        root["dataset"].remove("name"); // filled by --dataset, as in the original
    }
    YAML::Node optimizer = root["optimizer"];
    if (optimizer && optimizer.IsMap()) {
        if (optimizer["moco_scheduler"]) {
            // The original's MoCoLRScheduler sets the rate at each epoch's start, and its optimizer_step then
            // overwrites it on every step from the warm-up + cosine array: that is what such a run trained with.
            const bool requested = valueAt<bool>(optimizer["moco_scheduler"], "optimizer.moco_scheduler", source, "true or false");
            if (requested && note) {
                note(source + ":" + std::to_string(lineOf(optimizer["moco_scheduler"])) +
                     ": optimizer.moco_scheduler had no effect in the original (its per-step warm-up + cosine "
                     "overrode it): trained with warm-up + cosine, as there; optimizer.schedule: moco_step asks "
                     "for the step schedule");
            }
            optimizer.remove("moco_scheduler");
        }
        // The original's exclude_from_wt_decay takes biases and BatchNorm weights out of weight decay only; its
        // LARSWrapper still rescales them.
        if (optimizer["exclude_bn_bias"] &&
            valueAt<bool>(optimizer["exclude_bn_bias"], "optimizer.exclude_bn_bias", source, "true or false")) {
            optimizer["exclude_bn_bias"] = "original";
        }
        // Every pretraining system of the original wraps its optimizer in LARS (eta 0.001, no clipping).
        const std::string system = root["system"].as<std::string>();
        if (!optimizer["lars"] && system != "posthoc_tau" && system != "linear_eval") {
            optimizer["lars"] = true;
        }
    }
    std::vector<std::string> dropped;
    dropKeys(root, "", std::begin(kIgnoredTopLevel), std::end(kIgnoredTopLevel), dropped);
    dropKeys(root["dataset"], "dataset.", std::begin(kIgnoredDataset), std::end(kIgnoredDataset), dropped);
    dropKeys(root["loss"], "loss.", std::begin(kIgnoredLoss), std::end(kIgnoredLoss), dropped);
    dropKeys(root["model"], "model.", std::begin(kIgnoredModel), std::end(kIgnoredModel), dropped);
    if (note && !dropped.empty()) { // one line for them all: they are expected in such a file, not mistakes
        std::string list;
        for (const std::string& key : dropped) {
            list += (list.empty() ? "" : ", ") + key;
        }
        note(source + ": keys of the original repository's layout that have no effect here (not used): " + list);
    }
}

std::vector<std::pair<std::string, std::string>> originalLayoutEdits(const std::string& keyPath, const std::string& value)
{
    if (keyPath == "system") {
        for (const auto& [original, ours] : kSystems) {
            if (ours == value) {
                return {{"system", original}};
            }
        }
        return {{"system", value}}; // a system the original has no class for: the file becomes our layout
    }
    if (keyPath == "model.encoder") {
        return {{"model.base_model", value}};
    }
    if (keyPath == "runs_dir") {
        return {{"exp_base", value}};
    }
    if (keyPath == "device") {
        if (value == "cpu") {
            return {{"cuda", "false"}};
        }
        const size_t colon = value.find(':');
        return {{"cuda", "true"}, {"gpu_device", colon == std::string::npos ? "0" : value.substr(colon + 1)}};
    }
    return {{keyPath, value}};
}

} // namespace tau::core
