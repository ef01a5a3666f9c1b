#include "core/config/config_key_table.h"

#include "core/config/config_reader.h"
#include "core/data/dataset_catalog.h"
#include "core/data/outlier_families.h"
#include "core/io/path_names.h"
#include "core/methods/system_catalog.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <type_traits>

namespace tau::core {

namespace {

std::vector<std::string> schedules() { return {"warmup_cosine", "moco_step"}; }
std::vector<std::string> encoders() { return {"small_cnn", "resnet18", "resnet50"}; }
std::vector<std::string> stems() { return {"auto", "true", "false"}; }
std::vector<std::string> optimizers() { return {"adam", "sgd"}; }
std::vector<std::string> precisions() { return {"float32", "float64", "bf16"}; }
std::vector<std::string> memoryFormats() { return {"auto", "contiguous", "channels_last"}; }
std::vector<std::string> numerators() { return {"anchor", "first_view"}; }
std::vector<std::string> deviceChoices() { return {"auto", "cpu", "cuda"}; } // and cuda:N

/** Dataset names a model can train on: the registry's real sets. */
std::vector<std::string> trainableDatasets()
{
    std::vector<std::string> names;
    for (const DatasetInfo& info : datasetRegistry()) {
        if (!info.synthetic) {
            names.push_back(info.name);
        }
    }
    return names;
}

bool isDeviceName(const std::string& name)
{
    if (name == "auto" || name == "cpu" || name == "cuda") {
        return true;
    }
    const std::string prefix = "cuda:";
    return name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
           name.find_first_not_of("0123456789", prefix.size()) == std::string::npos;
}

// Values as config.yaml writes them. yaml-cpp writes control characters raw in a plain scalar, where a reader takes
// a carriage return for a line break: such strings are written double-quoted, with escapes (found by fuzzing).
void emit(YAML::Emitter& out, const std::string& text)
{
    if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
        out << YAML::DoubleQuoted;
    }
    out << text;
}

void emit(YAML::Emitter& out, const std::map<std::string, std::string>& entries)
{
    out << YAML::BeginMap;
    for (const auto& [name, value] : entries) {
        out << YAML::Key;
        emit(out, name);
        out << YAML::Value;
        emit(out, value);
    }
    out << YAML::EndMap;
}

template <typename T>
void emit(YAML::Emitter& out, const std::vector<T>& values)
{
    out << YAML::Flow << values;
}

template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
void emit(YAML::Emitter& out, T value)
{
    out << value;
}

/** The field a row reads and writes: a generic lambda `[](auto& c) -> auto& { return c.x; }` serves both. */
template <typename Get>
using FieldOf = std::decay_t<decltype(std::declval<Get>()(std::declval<ExperimentConfig&>()))>;

/** A key whose every value of its type is valid. */
template <typename Get>
ConfigKey key(std::string path, Get get, std::string help)
{
    ConfigKey row;
    row.path = path;
    row.help = std::move(help);
    row.read = [path, get](ConfigReader& reader, ExperimentConfig& config) { reader.read(path, get(config)); };
    row.write = [get](YAML::Emitter& out, const ExperimentConfig& config) { emit(out, get(config)); };
    return row;
}

/** A number at least @p minimum; @p expectation says so in the error. */
template <typename Get>
ConfigKey atLeast(std::string path, Get get, FieldOf<Get> minimum, const char* expectation, std::string help)
{
    ConfigKey row = key(path, get, std::move(help));
    row.read = [path, get, minimum, expectation](ConfigReader& reader, ExperimentConfig& config) {
        reader.readAtLeast(path, get(config), minimum, expectation);
    };
    return row;
}

/** A number in [low, high]. */
template <typename Get>
ConfigKey inRange(std::string path, Get get, double low, double high, const char* expectation, std::string help)
{
    ConfigKey row = key(path, get, std::move(help));
    row.read = [path, get, low, high, expectation](ConfigReader& reader, ExperimentConfig& config) {
        reader.readRange(path, get(config), low, high, expectation);
    };
    return row;
}

/** One of a fixed set of names. */
template <typename Get>
ConfigKey oneOf(std::string path, Get get, std::vector<std::string> (*choices)(), std::string help)
{
    ConfigKey row = key(path, get, std::move(help));
    row.choices = choices;
    row.read = [path, get, choices](ConfigReader& reader, ExperimentConfig& config) {
        reader.readChoice(path, get(config), choices());
    };
    return row;
}

/** A key with a check of its own after the typed read. */
template <typename Get>
ConfigKey checked(ConfigKey row, Get get, std::function<std::string(const FieldOf<Get>&)> problemOf)
{
    const auto read = row.read;
    const std::string path = row.path;
    row.read = [read, path, get, problemOf](ConfigReader& reader, ExperimentConfig& config) {
        read(reader, config);
        if (const std::string problem = problemOf(get(config)); !problem.empty()) {
            reader.fail(path, YAML::Node(), problem);
        }
    };
    return row;
}

std::string outlierFamiliesProblem(const std::vector<std::string>& families)
{
    const std::vector<std::string>& known = outlierFamilyNames();
    if (families.empty()) {
        return "expected at least one of " + joinChoices(known);
    }
    for (const std::string& family : families) {
        if (std::find(known.begin(), known.end(), family) == known.end()) {
            return "expected families among " + joinChoices(known) + ", got '" + family + "'";
        }
    }
    return "";
}

/**
 * optimizer.exclude_bn_bias: true or false (any YAML spelling), or original, the original repository's exclusion:
 * out of weight decay only, LARS still rescales them. Two fields of OptimizerConfig hold it.
 */
ConfigKey biasExclusionKey()
{
    ConfigKey row;
    row.path = "optimizer.exclude_bn_bias";
    row.help = "1-D parameters (biases, BatchNorm) out of weight decay and LARS (true), or out of weight decay only "
               "(original)";
    row.read = [](ConfigReader& reader, ExperimentConfig& config) {
        OptimizerConfig& optimizer = config.optimizer;
        std::string value = "false";
        reader.read("optimizer.exclude_bn_bias", value);
        optimizer.excludeBnBias = false;
        optimizer.larsOnExcluded = value == "original";
        if (optimizer.larsOnExcluded) {
            optimizer.excludeBnBias = true;
            return;
        }
        try {
            optimizer.excludeBnBias = YAML::Load(value).as<bool>();
        } catch (const YAML::Exception&) {
            reader.fail("optimizer.exclude_bn_bias", YAML::Node(),
                        "expected true, false or original, got '" + value + "'");
        }
    };
    row.write = [](YAML::Emitter& out, const ExperimentConfig& config) {
        if (config.optimizer.excludeBnBias && config.optimizer.larsOnExcluded) {
            out << "original";
        } else {
            out << config.optimizer.excludeBnBias;
        }
    };
    return row;
}

std::vector<ConfigKey> topLevelKeys()
{
    return {
        checked(key("exp_name", [](auto& c) -> auto& { return c.expName; }, "name of the run directory"),
                [](auto& c) -> auto& { return c.expName; },
                // The run folder's name under runs_dir: one path component, so no config can place a run outside it.
                [](const std::string& name) { return pathComponentProblem(name); }),
        oneOf("system", [](auto& c) -> auto& { return c.system; }, &systemNames, "the training system (objective)"),
        key("runs_dir", [](auto& c) -> auto& { return c.runsDir; }, "where run directories go"),
        [] {
            ConfigKey row = checked(
                key("device", [](auto& c) -> auto& { return c.device; }, "auto, cpu, cuda or cuda:N"),
                [](auto& c) -> auto& { return c.device; }, [](const std::string& device) {
                    return isDeviceName(device) ? std::string()
                                                : "expected auto, cpu, cuda or cuda:N, got '" + device + "'";
                });
            row.choices = &deviceChoices;
            return row;
        }(),
        key("continue_from_checkpoint", [](auto& c) -> auto& { return c.continueFromCheckpoint; },
            "a run directory or its last.pt to continue"),
        atLeast("threads", [](auto& c) -> auto& { return c.threads; }, 0, "0 (one per core) or a positive integer",
                "torch threads; 0: one per core"),
        oneOf("precision", [](auto& c) -> auto& { return c.precision; }, &precisions,
              "training's arithmetic: float32, float64 or bf16"),
        oneOf("memory_format", [](auto& c) -> auto& { return c.memoryFormat; }, &memoryFormats,
              "images and convolution weights NCHW (contiguous) or NHWC (channels_last); auto: NHWC on a GPU"),
        key("sync_bn", [](auto& c) -> auto& { return c.syncBatchNorm; },
            "distributed training: BatchNorm statistics over the global batch"),
        key("seed", [](auto& c) -> auto& { return c.seed; }, "seeds the subset, the batch order, the views and the weights"),
        atLeast("num_epochs", [](auto& c) -> auto& { return c.numEpochs; }, 1, "a positive integer", "epochs to train"),
    };
}

std::vector<ConfigKey> dataKeys()
{
    return {
        oneOf("dataset.name", [](auto& c) -> auto& { return c.dataset.name; }, &trainableDatasets, "the training set"),
        key("dataset.root", [](auto& c) -> auto& { return c.dataset.root; },
            "folder of the dataset's files; empty: its standard place"),
        atLeast("dataset.train_subset", [](auto& c) -> auto& { return c.dataset.trainSubset; }, 0LL,
                "0 (the whole split) or a positive integer", "train on the first N images of a seeded shuffle; 0: all"),
        key("dataset.classes", [](auto& c) -> auto& { return c.dataset.classes; },
            "keep only these classes (the held-out ones make near-OOD sets); empty: all"),
        atLeast("dataset.limit", [](auto& c) -> auto& { return c.dataset.limit; }, 0LL, "0 (all) or a positive integer",
                "at most N images, a seeded choice; 0: all"),
        atLeast("dataset.image_size", [](auto& c) -> auto& { return c.dataset.imageSize; }, 0,
                "0 (the dataset's own) or a positive size", "image-folder sets: decode to this size; 0: their own"),
        key("data.roots", [](auto& c) -> auto& { return c.data.roots; }, "a folder per dataset name"),
        key("data.strict", [](auto& c) -> auto& { return c.data.strict; },
            "an undecodable image in a folder fails the run instead of being skipped"),
        atLeast("data.cache_mb", [](auto& c) -> auto& { return c.data.cacheMegabytes; }, 0,
                "a number of megabytes >= 0", "decoded images kept per folder dataset"),
    };
}

std::vector<ConfigKey> modelKeys()
{
    return {
        oneOf("model.encoder", [](auto& c) -> auto& { return c.model.encoder; }, &encoders, "the encoder"),
        oneOf("model.conv3x3", [](auto& c) -> auto& { return c.model.conv3x3; }, &stems,
              "ResNet stem: auto (3x3 for images up to 64 px), true, false"),
        key("model.mc_dropout", [](auto& c) -> auto& { return c.model.mcDropout; },
            "dropout2d in every block, on at inference"),
        inRange("model.dropout", [](auto& c) -> auto& { return c.model.dropout; }, 0.0, 1.0, "a probability in [0, 1]",
                "the dropout probability"),
        atLeast("model.out_dim", [](auto& c) -> auto& { return c.model.outDim; }, 1, "a positive integer",
                "projection size d"),
        key("model.final_bn", [](auto& c) -> auto& { return c.model.finalBn; }, "BatchNorm in the projection head"),
        key("model.posterior_head", [](auto& c) -> auto& { return c.model.posteriorHead; }, "the extra output r"),
        key("model.encoder_checkpoint", [](auto& c) -> auto& { return c.model.encoderCheckpoint; },
            "posthoc_tau: the frozen encoder, a run of ours or its .pt"),
        key("model.encoder_torchscript", [](auto& c) -> auto& { return c.model.encoderTorchscript; },
            "posthoc_tau: the frozen encoder as TorchScript"),
    };
}

std::vector<ConfigKey> lossKeys()
{
    const char* atLeastZero = "a number >= 0";
    return {
        atLeast("loss.t", [](auto& c) -> auto& { return c.loss.t; }, 1e-6, "a positive number", "global temperature t"),
        atLeast("loss.eps", [](auto& c) -> auto& { return c.loss.eps; }, 0.0, atLeastZero, "added to the denominator"),
        key("loss.simclr_mask", [](auto& c) -> auto& { return c.loss.simclrMask; },
            "true: NT-Xent's denominator; false: it also leaves out the positive"),
        oneOf("loss.tau_numerator", [](auto& c) -> auto& { return c.loss.tauNumerator; }, &numerators,
              "anchor (each row's own c) or first_view (the original's)"),
        atLeast("loss.k", [](auto& c) -> auto& { return c.loss.queueSize; }, 1LL, "a positive integer (MoCo queue size)",
                "MoCo queue size"),
        inRange("loss.m", [](auto& c) -> auto& { return c.loss.momentum; }, 0.0, 1.0, "a momentum in [0, 1]",
                "MoCo key momentum"),
        atLeast("loss.beta", [](auto& c) -> auto& { return c.loss.beta; }, 0.0, atLeastZero, "HIB KL weight"),
        atLeast("loss.K", [](auto& c) -> auto& { return c.loss.samples; }, 1, "a positive integer (HIB samples per view)",
                "HIB samples per view"),
        atLeast("loss.outlier_weight", [](auto& c) -> auto& { return c.loss.outlierWeight; }, 0.0, atLeastZero,
                "tau_simclr_oe: weight of -log(1 - c) on the synthetic outliers"),
        checked(inRange("loss.outlier_fraction", [](auto& c) -> auto& { return c.loss.outlierFraction; }, 0.0, 1.0,
                        "a share of the batch in (0, 1]", "tau_simclr_oe: outliers per step, a share of the batch"),
                [](auto& c) -> auto& { return c.loss.outlierFraction; },
                [](double share) { return share > 0.0 ? std::string() : "expected a share of the batch in (0, 1], got 0"; }),
        checked(key("loss.outlier_families", [](auto& c) -> auto& { return c.loss.outlierFamilies; },
                    "tau_simclr_oe: the synthetic outlier families"),
                [](auto& c) -> auto& { return c.loss.outlierFamilies; }, &outlierFamiliesProblem),
    };
}

std::vector<ConfigKey> optimizerKeys()
{
    const char* atLeastZero = "a number >= 0";
    return {
        oneOf("optimizer.name", [](auto& c) -> auto& { return c.optimizer.name; }, &optimizers, "adam or sgd"),
        atLeast("optimizer.batch_size", [](auto& c) -> auto& { return c.optimizer.batchSize; }, 2,
                "an integer >= 2 (pairs per batch)", "pairs per batch"),
        atLeast("optimizer.learning_rate", [](auto& c) -> auto& { return c.optimizer.learningRate; }, 0.0, atLeastZero,
                "peak learning rate"),
        atLeast("optimizer.start_lr", [](auto& c) -> auto& { return c.optimizer.startLr; }, 0.0, atLeastZero,
                "warm-up start"),
        atLeast("optimizer.final_lr", [](auto& c) -> auto& { return c.optimizer.finalLr; }, 0.0, atLeastZero,
                "cosine end"),
        atLeast("optimizer.warmup_epochs", [](auto& c) -> auto& { return c.optimizer.warmupEpochs; }, 0.0, atLeastZero,
                "linear warm-up length"),
        atLeast("optimizer.weight_decay", [](auto& c) -> auto& { return c.optimizer.weightDecay; }, 0.0, atLeastZero,
                "weight decay"),
        inRange("optimizer.momentum", [](auto& c) -> auto& { return c.optimizer.momentum; }, 0.0, 1.0,
                "a number in [0, 1]", "SGD momentum"),
        key("optimizer.lars", [](auto& c) -> auto& { return c.optimizer.lars; }, "LARS around the optimizer"),
        atLeast("optimizer.lars_eta", [](auto& c) -> auto& { return c.optimizer.larsEta; }, 0.0, atLeastZero,
                "LARS trust coefficient"),
        biasExclusionKey(),
        oneOf("optimizer.schedule", [](auto& c) -> auto& { return c.optimizer.schedule; }, &schedules,
              "warmup_cosine or moco_step"),
    };
}

std::vector<ConfigKey> loggingKeys()
{
    return {
        atLeast("logging.step_every", [](auto& c) -> auto& { return c.logging.stepEvery; }, 1, "a positive integer",
                "a step record every N steps"),
        atLeast("logging.checkpoint_every", [](auto& c) -> auto& { return c.logging.checkpointEvery; }, 1,
                "a positive integer", "epoch_XXXX.pt every N epochs"),
        atLeast("logging.histogram_bins", [](auto& c) -> auto& { return c.logging.histogramBins; }, 2, "an integer >= 2",
                "bins of the c histogram"),
        atLeast("logging.knn_every", [](auto& c) -> auto& { return c.logging.knnEvery; }, 0,
                "an integer >= 0 (0: no kNN during training)", "kNN top-1 of h every N epochs; 0: off"),
        atLeast("logging.knn_images", [](auto& c) -> auto& { return c.logging.knnImages; }, 1, "a positive integer",
                "images of each split the kNN monitor uses"),
    };
}

std::vector<ConfigKey> buildTable()
{
    std::vector<ConfigKey> table;
    for (auto section : {&topLevelKeys, &dataKeys, &modelKeys, &lossKeys, &optimizerKeys, &loggingKeys}) {
        for (ConfigKey& row : section()) {
            table.push_back(std::move(row));
        }
    }
    return table;
}

} // namespace

const std::vector<ConfigKey>& configKeyTable()
{
    static const std::vector<ConfigKey> table = buildTable();
    return table;
}

} // namespace tau::core
