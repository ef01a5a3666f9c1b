// The resolved config as YAML (config.yaml of every run): every key with its value, in the layout of
// configs/default.yaml, so that loadConfigText reads it back to the same experiment.

#include "core/config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace tau::core {

namespace {

/**
 * A string value for the emitter. yaml-cpp writes control characters raw in a plain scalar, where a reader takes a
 * carriage return for a line break: such strings are written double-quoted, with escapes (found by fuzzing).
 */
struct Text
{
    const std::string& value;
};

YAML::Emitter& operator<<(YAML::Emitter& out, const Text& text)
{
    const bool control = std::any_of(text.value.begin(), text.value.end(),
                                     [](unsigned char c) { return c < 0x20 || c == 0x7f; });
    if (control) {
        out << YAML::DoubleQuoted;
    }
    return out << text.value;
}

} // namespace

std::string toYaml(const ExperimentConfig& config)
{
    YAML::Emitter out;
    out.SetDoublePrecision(15); // 0.0003, not 0.00029999999999999997
    out << YAML::BeginMap;
    out << YAML::Key << "exp_name" << YAML::Value << Text{config.expName};
    out << YAML::Key << "system" << YAML::Value << Text{config.system};
    out << YAML::Key << "runs_dir" << YAML::Value << Text{config.runsDir};
    out << YAML::Key << "device" << YAML::Value << Text{config.device};
    out << YAML::Key << "continue_from_checkpoint" << YAML::Value << Text{config.continueFromCheckpoint};
    out << YAML::Key << "threads" << YAML::Value << config.threads;
    out << YAML::Key << "precision" << YAML::Value << Text{config.precision};
    out << YAML::Key << "memory_format" << YAML::Value << Text{config.memoryFormat};
    out << YAML::Key << "sync_bn" << YAML::Value << config.syncBatchNorm;
    out << YAML::Key << "seed" << YAML::Value << config.seed;
    out << YAML::Key << "num_epochs" << YAML::Value << config.numEpochs;

    out << YAML::Key << "dataset" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << Text{config.dataset.name};
    out << YAML::Key << "root" << YAML::Value << Text{config.dataset.root};
    out << YAML::Key << "train_subset" << YAML::Value << config.dataset.trainSubset;
    out << YAML::Key << "classes" << YAML::Value << YAML::Flow << config.dataset.classes;
    out << YAML::Key << "limit" << YAML::Value << config.dataset.limit;
    out << YAML::Key << "image_size" << YAML::Value << config.dataset.imageSize;
    out << YAML::EndMap;

    out << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "roots" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, root] : config.data.roots) {
        out << YAML::Key << Text{name} << YAML::Value << Text{root};
    }
    out << YAML::EndMap;
    out << YAML::Key << "strict" << YAML::Value << config.data.strict;
    out << YAML::Key << "cache_mb" << YAML::Value << config.data.cacheMegabytes;
    out << YAML::EndMap;

    out << YAML::Key << "model" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "encoder" << YAML::Value << Text{config.model.encoder};
    out << YAML::Key << "conv3x3" << YAML::Value << config.model.conv3x3;
    out << YAML::Key << "mc_dropout" << YAML::Value << config.model.mcDropout;
    out << YAML::Key << "dropout" << YAML::Value << config.model.dropout;
    out << YAML::Key << "out_dim" << YAML::Value << config.model.outDim;
    out << YAML::Key << "final_bn" << YAML::Value << config.model.finalBn;
    out << YAML::Key << "posterior_head" << YAML::Value << config.model.posteriorHead;
    out << YAML::Key << "encoder_checkpoint" << YAML::Value << Text{config.model.encoderCheckpoint};
    out << YAML::Key << "encoder_torchscript" << YAML::Value << Text{config.model.encoderTorchscript};
    out << YAML::EndMap;

    out << YAML::Key << "loss" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "t" << YAML::Value << config.loss.t;
    out << YAML::Key << "eps" << YAML::Value << config.loss.eps;
    out << YAML::Key << "simclr_mask" << YAML::Value << config.loss.simclrMask;
    out << YAML::Key << "tau_numerator" << YAML::Value << Text{config.loss.tauNumerator};
    out << YAML::Key << "k" << YAML::Value << config.loss.queueSize;
    out << YAML::Key << "m" << YAML::Value << config.loss.momentum;
    out << YAML::Key << "beta" << YAML::Value << config.loss.beta;
    out << YAML::Key << "K" << YAML::Value << config.loss.samples;
    out << YAML::Key << "outlier_weight" << YAML::Value << config.loss.outlierWeight;
    out << YAML::Key << "outlier_fraction" << YAML::Value << config.loss.outlierFraction;
    out << YAML::Key << "outlier_families" << YAML::Value << YAML::Flow << config.loss.outlierFamilies;
    out << YAML::EndMap;

    out << YAML::Key << "optimizer" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << Text{config.optimizer.name};
    out << YAML::Key << "batch_size" << YAML::Value << config.optimizer.batchSize;
    out << YAML::Key << "learning_rate" << YAML::Value << config.optimizer.learningRate;
    out << YAML::Key << "start_lr" << YAML::Value << config.optimizer.startLr;
    out << YAML::Key << "final_lr" << YAML::Value << config.optimizer.finalLr;
    out << YAML::Key << "warmup_epochs" << YAML::Value << config.optimizer.warmupEpochs;
    out << YAML::Key << "weight_decay" << YAML::Value << config.optimizer.weightDecay;
    out << YAML::Key << "momentum" << YAML::Value << config.optimizer.momentum;
    out << YAML::Key << "lars" << YAML::Value << config.optimizer.lars;
    out << YAML::Key << "lars_eta" << YAML::Value << config.optimizer.larsEta;
    if (config.optimizer.excludeBnBias && config.optimizer.larsOnExcluded) {
        out << YAML::Key << "exclude_bn_bias" << YAML::Value << "original";
    } else {
        out << YAML::Key << "exclude_bn_bias" << YAML::Value << config.optimizer.excludeBnBias;
    }
    out << YAML::Key << "schedule" << YAML::Value << Text{config.optimizer.schedule};
    out << YAML::EndMap;

    out << YAML::Key << "logging" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "step_every" << YAML::Value << config.logging.stepEvery;
    out << YAML::Key << "checkpoint_every" << YAML::Value << config.logging.checkpointEvery;
    out << YAML::Key << "histogram_bins" << YAML::Value << config.logging.histogramBins;
    out << YAML::Key << "knn_every" << YAML::Value << config.logging.knnEvery;
    out << YAML::Key << "knn_images" << YAML::Value << config.logging.knnImages;
    out << YAML::EndMap;

    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

} // namespace tau::core
