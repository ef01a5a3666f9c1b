#include "core/config/config_loader.h"
#include "core/io/path_names.h"

#include "core/common/error.h"
#include "core/config/original_layout.h"
#include "core/data/dataset_catalog.h"
#include "core/data/outlier_families.h"
#include "core/methods/system_catalog.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <vector>

namespace tau::core {

namespace {

const std::vector<std::string> kSchedules = {"warmup_cosine", "moco_step"};
const std::vector<std::string> kEncoders = {"small_cnn", "resnet18", "resnet50"};
const std::vector<std::string> kStems = {"auto", "true", "false"};
const std::vector<std::string> kOptimizers = {"adam", "sgd"};
const std::vector<std::string> kPrecisions = {"float32", "float64", "bf16"};
const std::vector<std::string> kMemoryFormats = {"auto", "contiguous", "channels_last"};
const std::vector<std::string> kNumerators = {"anchor", "first_view"};

std::vector<std::string> splitPath(const std::string& path)
{
    std::vector<std::string> parts;
    std::stringstream stream(path);
    std::string part;
    while (std::getline(stream, part, '.')) {
        parts.push_back(part);
    }
    return parts;
}

std::string joinChoices(const std::vector<std::string>& choices)
{
    std::string joined;
    for (const auto& choice : choices) {
        joined += (joined.empty() ? "" : ", ") + choice;
    }
    return joined;
}

/** Reads typed values out of a YAML tree, remembering which keys it used, and names key and line on error. */
/** Levenshtein's distance: the fewest insertions, deletions and substitutions turning @p a into @p b. */
size_t editDistance(const std::string& a, const std::string& b)
{
    std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
        previous[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

/**
 * How far @p typed is from @p known as a typo: the edit distance to the known key, or to the known key cut after
 * one of its words in the last part ("optimizer.bach" is one edit from "optimizer.batch", of batch_size), plus one.
 */
size_t typoDistance(const std::string& typed, const std::string& known)
{
    size_t best = editDistance(typed, known);
    const size_t lastPart = known.rfind('.') == std::string::npos ? 0 : known.rfind('.') + 1;
    for (size_t cut = known.find('_', lastPart); cut != std::string::npos; cut = known.find('_', cut + 1)) {
        best = std::min(best, editDistance(typed, known.substr(0, cut)) + 1);
    }
    return best;
}

class ConfigReader
{
public:
    ConfigReader(YAML::Node root, std::string source) : m_root(std::move(root)), m_source(std::move(source)) {}

    void applyOverride(const std::string& assignment)
    {
        const auto equals = assignment.find('=');
        if (equals == std::string::npos || equals == 0) {
            throw ConfigError("--set " + assignment, 0, "", "expected key.path=value");
        }
        const std::string path = assignment.substr(0, equals);
        YAML::Node value;
        try {
            value = YAML::Load(assignment.substr(equals + 1));
        } catch (const YAML::Exception& error) {
            throw ConfigError("--set " + assignment, 0, path, "the value is not valid YAML: " + error.msg);
        }
        // yaml-cpp nodes are handles: rebinding one in a loop would rewrite the map, so recurse instead.
        setAt(m_root, splitPath(path), 0, value, assignment);
        m_overrides[path] = assignment;
    }

    template <typename T>
    void read(const std::string& path, T& target)
    {
        m_known.insert(path);
        const YAML::Node node = find(path);
        if (!node) {
            return; // keep the default
        }
        if (node.IsNull()) {
            // `key:` or `key: null`: an empty string is a natural reading; anything else needs a value.
            if constexpr (std::is_same_v<T, std::string>) {
                target.clear();
                return;
            }
            fail(path, node, std::string("expected ") + typeName<T>() + ", got null");
        }
        try {
            target = node.as<T>();
        } catch (const YAML::Exception&) {
            fail(path, node, std::string("expected ") + typeName<T>() + ", got " + describe(node));
        }
    }

    void readChoice(const std::string& path, std::string& target, const std::vector<std::string>& choices)
    {
        read(path, target);
        for (const auto& choice : choices) {
            if (target == choice) {
                return;
            }
        }
        fail(path, find(path), "expected one of " + joinChoices(choices) + ", got '" + target + "'");
    }

    template <typename T>
    void readAtLeast(const std::string& path, T& target, T minimum, const char* expectation)
    {
        read(path, target);
        if (target < minimum) {
            fail(path, find(path), std::string("expected ") + expectation + ", got " + describe(find(path)));
        }
    }

    void readRange(const std::string& path, double& target, double low, double high, const char* expectation)
    {
        read(path, target);
        if (!(target >= low && target <= high)) {
            fail(path, find(path), std::string("expected ") + expectation + ", got " + describe(find(path)));
        }
    }

    /**
     * A key no read asked for is a typo that would silently leave its value at the default and run another
     * experiment: an error naming the nearest known key. Duplicate keys only warn (YAML keeps the last).
     */
    void rejectUnknownKeys(const std::function<void(const std::string&)>& warn) const
    {
        std::vector<std::pair<std::string, int>> unknown;
        collectUnknown(m_root, "", warn, unknown);
        if (unknown.empty()) {
            return;
        }
        const auto& [key, line] = unknown.front();
        std::string problem = "unknown key";
        if (const std::string nearest = nearestKnownKey(key); !nearest.empty()) {
            problem += " (did you mean " + nearest + "?)";
        }
        if (unknown.size() > 1) {
            problem += "; also unknown:";
            for (size_t i = 1; i < unknown.size(); ++i) {
                problem += " " + unknown[i].first + (i + 1 < unknown.size() ? "," : "");
            }
        }
        const auto overridden = m_overrides.find(key);
        if (overridden != m_overrides.end()) {
            throw ConfigError("--set " + overridden->second, 0, key, problem);
        }
        throw ConfigError(m_source, line, key, problem);
    }

    [[noreturn]] void fail(const std::string& path, const YAML::Node& node, const std::string& problem) const
    {
        const auto overridden = m_overrides.find(path);
        if (overridden != m_overrides.end()) {
            throw ConfigError("--set " + overridden->second, 0, path, problem);
        }
        // Callers checking a value after reading it pass an empty node: locate the key ourselves.
        const bool located = node && !node.Mark().is_null();
        throw ConfigError(m_source, lineOf(located ? node : find(path)), path, problem);
    }

private:
    static int lineOf(const YAML::Node& node)
    {
        return (node && !node.Mark().is_null()) ? node.Mark().line + 1 : 0;
    }

    static std::string describe(const YAML::Node& node)
    {
        if (!node) {
            return "nothing";
        }
        if (node.IsScalar()) {
            return "'" + node.Scalar() + "'";
        }
        return node.IsSequence() ? "a list" : "a mapping";
    }

    template <typename T>
    static const char* typeName()
    {
        if constexpr (std::is_same_v<T, bool>) {
            return "true or false";
        } else if constexpr (std::is_same_v<T, std::vector<int>>) {
            return "a list of integers";
        } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
            return "a mapping of dataset names to folders";
        } else if constexpr (std::is_integral_v<T>) {
            return "an integer";
        } else if constexpr (std::is_floating_point_v<T>) {
            return "a number";
        } else {
            return "a string";
        }
    }

    YAML::Node find(const std::string& path) const
    {
        // Descend with fresh handles; Node::operator= on a bound handle would overwrite the map entry.
        return findIn(m_root, splitPath(path), 0);
    }

    YAML::Node findIn(const YAML::Node& node, const std::vector<std::string>& parts, size_t index) const
    {
        if (index == parts.size()) {
            return node;
        }
        if (node.IsNull()) {
            return YAML::Node(YAML::NodeType::Undefined); // `loss:` with nothing under it: every default
        }
        if (!node.IsMap()) {
            std::string section = parts[0];
            for (size_t part = 1; part < index; ++part) {
                section += "." + parts[part];
            }
            throw ConfigError(m_source, lineOf(node), section, "expected a mapping of keys, got " + describe(node));
        }
        const YAML::Node child = node[parts[index]];
        if (!child) {
            return YAML::Node(YAML::NodeType::Undefined);
        }
        return findIn(child, parts, index + 1);
    }

    static void setAt(YAML::Node node, const std::vector<std::string>& parts, size_t index,
                      const YAML::Node& value, const std::string& assignment)
    {
        if (index + 1 == parts.size()) {
            node[parts[index]] = value;
            return;
        }
        YAML::Node child = node[parts[index]];
        if (child && !child.IsMap()) {
            throw ConfigError("--set " + assignment, 0, parts[index], "is not a section, cannot set a key inside it");
        }
        if (!child) {
            node[parts[index]] = YAML::Node(YAML::NodeType::Map);
            child = node[parts[index]];
        }
        setAt(child, parts, index + 1, value, assignment);
    }

    void collectUnknown(const YAML::Node& node, const std::string& prefix,
                        const std::function<void(const std::string&)>& warn,
                        std::vector<std::pair<std::string, int>>& unknown) const
    {
        std::map<std::string, int> firstLine; // YAML keeps only one of two equal keys: say which
        for (const auto& entry : node) {
            if (!entry.first.IsScalar()) { // `? [a, b]: 1` is YAML, but not a config key (found by fuzzing)
                throw ConfigError(m_source, lineOf(entry.first), prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1),
                                  "expected a key name, got " + describe(entry.first));
            }
            const std::string key = prefix + entry.first.Scalar();
            const int keyLine = lineOf(entry.first);
            const auto [seen, isNew] = firstLine.emplace(key, keyLine);
            if (!isNew) {
                if (warn) {
                    warn(m_source + ":" + std::to_string(keyLine) + ": duplicate key '" + key +
                         "'; the value at line " + std::to_string(seen->second) + " is the one used");
                }
                continue;
            }
            if (m_known.count(key)) {
                continue;
            }
            if (entry.second.IsMap() && isSectionPrefix(key)) {
                collectUnknown(entry.second, key + ".", warn, unknown);
                continue;
            }
            unknown.emplace_back(key, keyLine);
        }
    }

    /** The known key (or section) nearest to @p key in edits, or empty when none is near enough to be meant. */
    std::string nearestKnownKey(const std::string& key) const
    {
        std::set<std::string> candidates;
        for (const std::string& known : m_known) {
            for (size_t dot = known.find('.'); dot != std::string::npos; dot = known.find('.', dot + 1)) {
                candidates.insert(known.substr(0, dot)); // its sections: a misspelt section is a typo too
            }
            candidates.insert(known);
        }
        std::string best;
        size_t bestDistance = std::max<size_t>(2, key.size() / 3) + 1; // further than this is not a typo
        for (const std::string& candidate : candidates) {
            const size_t distance = typoDistance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    bool isSectionPrefix(const std::string& key) const
    {
        const std::string prefix = key + ".";
        for (const auto& known : m_known) {
            if (known.compare(0, prefix.size(), prefix) == 0) {
                return true;
            }
        }
        return false;
    }

    YAML::Node m_root;
    std::string m_source;
    std::set<std::string> m_known;
    std::map<std::string, std::string> m_overrides;
};

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

/** Rules that tie keys together; each failure names the key to change. */
void checkConsistency(ConfigReader& reader, const ExperimentConfig& config)
{
    const SystemInfo& system = systemOf(config); // readChoice has checked the name
    if (system.needsPosteriorHead && !config.model.posteriorHead) {
        reader.fail("model.posterior_head", YAML::Node(),
                    "expected true for system " + config.system + " (the extra head output r is its uncertainty)");
    }
    if (system.usesQueue && config.loss.queueSize % config.optimizer.batchSize != 0) {
        reader.fail("loss.k", YAML::Node(),
                    "expected a multiple of optimizer.batch_size (" + std::to_string(config.optimizer.batchSize) +
                        ") so that batches of keys tile the queue, got " + std::to_string(config.loss.queueSize));
    }
    if (system.needsFrozenEncoder &&
        config.model.encoderCheckpoint.empty() == config.model.encoderTorchscript.empty()) {
        reader.fail("model.encoder_checkpoint", YAML::Node(),
                    "expected exactly one of model.encoder_checkpoint (a run directory or .pt of ours) and "
                    "model.encoder_torchscript for system posthoc_tau");
    }
}

/**
 * optimizer.exclude_bn_bias: true or false (any YAML spelling), or original, the original repository's
 * exclusion: out of weight decay only, LARS still rescales them.
 */
void checkOutlierFamilies(ConfigReader& reader, const std::vector<std::string>& families)
{
    const std::vector<std::string>& known = outlierFamilyNames();
    if (families.empty()) {
        reader.fail("loss.outlier_families", YAML::Node(), "expected at least one of " + joinChoices(known));
    }
    for (const std::string& family : families) {
        if (std::find(known.begin(), known.end(), family) == known.end()) {
            reader.fail("loss.outlier_families", YAML::Node(),
                        "expected families among " + joinChoices(known) + ", got '" + family + "'");
        }
    }
}

void readBiasExclusion(ConfigReader& reader, OptimizerConfig& optimizer)
{
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
        reader.fail("optimizer.exclude_bn_bias", YAML::Node(), "expected true, false or original, got '" + value + "'");
    }
}

ExperimentConfig readExperiment(ConfigReader& reader)
{
    ExperimentConfig config;
    reader.read("exp_name", config.expName);
    // The run folder's name under runs_dir: one path component, so no config can place a run outside it.
    if (const std::string problem = pathComponentProblem(config.expName); !problem.empty()) {
        reader.fail("exp_name", YAML::Node(), problem);
    }
    reader.readChoice("system", config.system, systemNames());
    reader.read("runs_dir", config.runsDir);
    reader.read("device", config.device);
    if (!isDeviceName(config.device)) {
        reader.fail("device", YAML::Node(), "expected auto, cpu, cuda or cuda:N, got '" + config.device + "'");
    }
    reader.read("continue_from_checkpoint", config.continueFromCheckpoint);
    reader.readAtLeast("threads", config.threads, 0, "0 (one per core) or a positive integer");
    reader.read("sync_bn", config.syncBatchNorm);
    reader.readChoice("precision", config.precision, kPrecisions);
    reader.readChoice("memory_format", config.memoryFormat, kMemoryFormats);
    reader.read("seed", config.seed);
    reader.readAtLeast("num_epochs", config.numEpochs, 1, "a positive integer");

    reader.readChoice("dataset.name", config.dataset.name, trainableDatasets());
    reader.read("dataset.classes", config.dataset.classes);
    reader.readAtLeast("dataset.limit", config.dataset.limit, 0LL, "0 (all) or a positive integer");
    reader.readAtLeast("dataset.image_size", config.dataset.imageSize, 0, "0 (the dataset's own) or a positive size");
    reader.read("data.roots", config.data.roots);
    reader.read("data.strict", config.data.strict);
    reader.readAtLeast("data.cache_mb", config.data.cacheMegabytes, 0, "a number of megabytes >= 0");
    reader.read("dataset.root", config.dataset.root);
    reader.readAtLeast("dataset.train_subset", config.dataset.trainSubset, 0LL,
                       "0 (the whole split) or a positive integer");

    reader.readChoice("model.encoder", config.model.encoder, kEncoders);
    reader.readChoice("model.conv3x3", config.model.conv3x3, kStems);
    reader.read("model.mc_dropout", config.model.mcDropout);
    reader.readRange("model.dropout", config.model.dropout, 0.0, 1.0, "a probability in [0, 1]");
    reader.readAtLeast("model.out_dim", config.model.outDim, 1, "a positive integer");
    reader.read("model.final_bn", config.model.finalBn);
    reader.read("model.posterior_head", config.model.posteriorHead);
    reader.read("model.encoder_checkpoint", config.model.encoderCheckpoint);
    reader.read("model.encoder_torchscript", config.model.encoderTorchscript);

    reader.readAtLeast("loss.t", config.loss.t, 1e-6, "a positive number");
    reader.readAtLeast("loss.eps", config.loss.eps, 0.0, "a number >= 0");
    reader.read("loss.simclr_mask", config.loss.simclrMask);
    reader.readChoice("loss.tau_numerator", config.loss.tauNumerator, kNumerators);
    reader.readAtLeast("loss.k", config.loss.queueSize, 1LL, "a positive integer (MoCo queue size)");
    reader.readRange("loss.m", config.loss.momentum, 0.0, 1.0, "a momentum in [0, 1]");
    reader.readAtLeast("loss.beta", config.loss.beta, 0.0, "a number >= 0");
    reader.readAtLeast("loss.K", config.loss.samples, 1, "a positive integer (HIB samples per view)");
    reader.readAtLeast("loss.outlier_weight", config.loss.outlierWeight, 0.0, "a number >= 0");
    reader.readRange("loss.outlier_fraction", config.loss.outlierFraction, 0.0, 1.0, "a share of the batch in (0, 1]");
    if (config.loss.outlierFraction <= 0.0) {
        reader.fail("loss.outlier_fraction", YAML::Node(), "expected a share of the batch in (0, 1], got 0");
    }
    reader.read("loss.outlier_families", config.loss.outlierFamilies);
    checkOutlierFamilies(reader, config.loss.outlierFamilies);

    reader.readChoice("optimizer.name", config.optimizer.name, kOptimizers);
    reader.readAtLeast("optimizer.batch_size", config.optimizer.batchSize, 2, "an integer >= 2 (pairs per batch)");
    reader.readAtLeast("optimizer.learning_rate", config.optimizer.learningRate, 0.0, "a number >= 0");
    reader.readAtLeast("optimizer.start_lr", config.optimizer.startLr, 0.0, "a number >= 0");
    reader.readAtLeast("optimizer.final_lr", config.optimizer.finalLr, 0.0, "a number >= 0");
    reader.readAtLeast("optimizer.warmup_epochs", config.optimizer.warmupEpochs, 0.0, "a number >= 0");
    reader.readAtLeast("optimizer.weight_decay", config.optimizer.weightDecay, 0.0, "a number >= 0");
    reader.readRange("optimizer.momentum", config.optimizer.momentum, 0.0, 1.0, "a number in [0, 1]");
    reader.read("optimizer.lars", config.optimizer.lars);
    reader.readAtLeast("optimizer.lars_eta", config.optimizer.larsEta, 0.0, "a number >= 0");
    readBiasExclusion(reader, config.optimizer);
    reader.readChoice("optimizer.schedule", config.optimizer.schedule, kSchedules);

    reader.readAtLeast("logging.step_every", config.logging.stepEvery, 1, "a positive integer");
    reader.readAtLeast("logging.checkpoint_every", config.logging.checkpointEvery, 1, "a positive integer");
    reader.readAtLeast("logging.histogram_bins", config.logging.histogramBins, 2, "an integer >= 2");
    reader.readAtLeast("logging.knn_every", config.logging.knnEvery, 0, "an integer >= 0 (0: no kNN during training)");
    reader.readAtLeast("logging.knn_images", config.logging.knnImages, 1, "a positive integer");

    checkConsistency(reader, config);
    return config;
}

ExperimentConfig loadFromNode(YAML::Node root, const std::string& source, const ConfigLoadOptions& options)
{
    if (root.IsNull()) {
        root = YAML::Node(YAML::NodeType::Map);
    }
    if (!root.IsMap()) {
        throw ConfigError(source, 1, "", "expected a mapping of keys to values at the top level");
    }
    if (isOriginalLayout(root)) {
        try {
            translateOriginalLayout(root, source, options.warn);
        } catch (const YAML::Exception& error) {
            // A value of the wrong shape where the original's layout has a mapping or a scalar (found by fuzzing).
            throw ConfigError(source, error.mark.is_null() ? 0 : error.mark.line + 1, "",
                              "not a config in the original repository's layout: " + error.msg);
        }
    }
    ConfigReader reader(root, source);
    for (const auto& assignment : options.overrides) {
        reader.applyOverride(assignment);
    }
    ExperimentConfig config = readExperiment(reader);
    reader.rejectUnknownKeys(options.warn);
    config.sourcePath = source;
    return config;
}

} // namespace

std::vector<std::string> configChoices(const std::string& keyPath)
{
    if (keyPath == "system") {
        return systemNames();
    }
    if (keyPath == "dataset.name") {
        return trainableDatasets();
    }
    if (keyPath == "model.encoder") {
        return kEncoders;
    }
    if (keyPath == "optimizer.name") {
        return kOptimizers;
    }
    if (keyPath == "device") {
        return {"auto", "cpu", "cuda"};
    }
    if (keyPath == "precision") {
        return kPrecisions;
    }
    if (keyPath == "memory_format") {
        return kMemoryFormats;
    }
    return {};
}

ExperimentConfig loadConfigText(const std::string& text, const std::string& sourceName,
                                const ConfigLoadOptions& options)
{
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& error) {
        throw ConfigError(sourceName, error.mark.is_null() ? 0 : error.mark.line + 1, "",
                          "not valid YAML: " + error.msg);
    }
    return loadFromNode(root, sourceName, options);
}

ExperimentConfig loadConfigFile(const std::string& path, const ConfigLoadOptions& options)
{
    std::ifstream file(path);
    if (!file) {
        throw ConfigError(path, 0, "", "cannot open the config file (does it exist and is it readable?)");
    }
    std::stringstream text;
    text << file.rdbuf();
    return loadConfigText(text.str(), path, options);
}

} // namespace tau::core
