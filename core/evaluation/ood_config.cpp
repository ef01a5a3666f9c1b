#include "core/evaluation/ood_config.h"

#include "core/common/error.h"
#include "core/io/path_names.h"
#include "core/io/run_directory.h"

#include <yaml-cpp/yaml.h>

#include <map>

namespace tau::core {

namespace {

int lineOf(const YAML::Node& node)
{
    return (node && !node.Mark().is_null()) ? node.Mark().line + 1 : 0;
}

/** A checkpoint path from the original's {exp_dir, checkpoint_name}. */
std::string encoderCheckpoint(const YAML::Node& encoder, const std::string& path)
{
    if (!encoder.IsMap() || !encoder["exp_dir"]) {
        throw ConfigError(path, lineOf(encoder), "model.encoder", "expected {exp_dir, checkpoint_name}");
    }
    const std::string directory = encoder["exp_dir"].as<std::string>();
    const std::string name = encoder["checkpoint_name"] ? encoder["checkpoint_name"].as<std::string>("") : "";
    return name.empty() ? directory : RunPaths{directory}.checkpoint(name);
}

std::vector<std::string> stringList(const YAML::Node& node, const std::string& key, const std::string& path)
{
    if (!node.IsSequence()) {
        throw ConfigError(path, lineOf(node), key, "expected a list of names");
    }
    return node.as<std::vector<std::string>>();
}

void readOriginal(const YAML::Node& root, const std::string& path, OodEvaluationOptions& options)
{
    const YAML::Node dataset = root["dataset"];
    if (dataset["in_dataset"] && !dataset["in_dataset"].IsNull()) {
        options.dataset = dataset["in_dataset"].as<std::string>();
    }
    if (dataset["out_datasets"]) {
        options.outDatasets = stringList(dataset["out_datasets"], "dataset.out_datasets", path);
    }
    const YAML::Node encoder = root["model"] ? root["model"]["encoder"] : YAML::Node();
    if (!encoder) {
        throw ConfigError(path, lineOf(root["model"]), "model.encoder", "expected the encoder's exp_dir and checkpoint_name");
    }
    if (encoder.IsSequence()) {
        for (size_t i = 0; i < encoder.size(); ++i) {
            (i == 0 ? options.checkpoint : options.ensemble.emplace_back()) = encoderCheckpoint(encoder[i], path);
        }
    } else {
        options.checkpoint = encoderCheckpoint(encoder, path);
    }
    // The original's evaluator class decides what is scored.
    const std::string evaluator = root["system"] ? root["system"].as<std::string>() : "SelfSupOODEvaluator";
    const std::string posterior =
        root["loss"] && root["loss"]["posterior"] ? root["loss"]["posterior"].as<std::string>("gaussian") : "gaussian";
    static const std::map<std::string, std::vector<std::string>> scores = {
        {"KnnOODEvaluator", {"knn"}}, {"MCDropoutOODEvaluator", {"mc_dropout"}},
        {"EnsembleOODEvaluator", {"ensemble"}}, {"OdinOODEvaluator", {"odin"}}};
    if (evaluator == "SelfSupOODEvaluator") {
        options.scores = posterior == "gaussian_hib" ? std::vector<std::string>{"hib"}
                                                     : std::vector<std::string>{"tau", "tau_repo"};
    } else if (scores.count(evaluator)) {
        options.scores = scores.at(evaluator);
    } else {
        throw ConfigError(path, lineOf(root["system"]), "system",
                          "expected one of SelfSupOODEvaluator, KnnOODEvaluator, MCDropoutOODEvaluator, "
                          "EnsembleOODEvaluator, OdinOODEvaluator, got '" + evaluator + "'");
    }
    if (evaluator == "KnnOODEvaluator") {
        options.knnTestReference = true; // what the original did
        const YAML::Node knn = root["ood_scores"];
        if (knn && knn["nearest_neighbors"]) {
            options.knnK = knn["nearest_neighbors"].as<int>();
        }
        if (knn && knn["aggregate"]) {
            options.knnAggregate = knn["aggregate"].as<std::string>() == "max" ? "max" : "mean";
        }
    }
    options.name = root["exp_name"] ? root["exp_name"].as<std::string>() : "ood";
}

template <typename T>
void readKey(const YAML::Node& root, const char* key, T& target, const std::string& path)
{
    if (!root[key]) {
        return;
    }
    try {
        target = root[key].as<T>();
    } catch (const YAML::Exception&) {
        throw ConfigError(path, lineOf(root[key]), key, "has the wrong type");
    }
}

/** The evaluation's folder, RUN/eval/<name>: a name from a file must be one folder name. */
void checkEvaluationName(const YAML::Node& root, const char* key, const std::string& name, const std::string& path)
{
    if (const std::string problem = pathComponentProblem(name); !problem.empty()) {
        throw ConfigError(path, lineOf(root[key]), key, problem);
    }
}

} // namespace

OodEvaluationOptions loadOodConfigFile(const std::string& path, const std::function<void(const std::string&)>& warn)
{
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw ConfigError(path, 0, "", "cannot open the OOD config");
    } catch (const YAML::ParserException& error) {
        throw ConfigError(path, error.mark.line + 1, "", "not valid YAML or JSON: " + error.msg);
    }
    OodEvaluationOptions options;
    if (root["dataset"] && root["dataset"]["in_dataset"]) {
        readOriginal(root, path, options);
        checkEvaluationName(root, "exp_name", options.name, path);
        if (warn) {
            warn(path + ": read as the original repository's OOD layout (scores: " + options.scores.front() +
                 (options.scores.size() > 1 ? ", ..." : "") + ")");
        }
        return options;
    }
    readKey(root, "checkpoint", options.checkpoint, path);
    readKey(root, "in_dataset", options.dataset, path);
    readKey(root, "out_datasets", options.outDatasets, path);
    readKey(root, "scores", options.scores, path);
    readKey(root, "ensemble", options.ensemble, path);
    readKey(root, "name", options.name, path);
    checkEvaluationName(root, "name", options.name, path);
    readKey(root, "mc_passes", options.mcPasses, path);
    readKey(root, "knn_k", options.knnK, path);
    readKey(root, "knn_aggregate", options.knnAggregate, path);
    readKey(root, "bootstrap", options.bootstrap, path);
    readKey(root, "limit", options.limit, path);
    readKey(root, "seed", options.seed, path);
    if (options.checkpoint.empty()) {
        throw ConfigError(path, 0, "checkpoint", "expected the checkpoint (or run directory) to evaluate");
    }
    return options;
}

} // namespace tau::core
