#pragma once

// Torch-free: the CLI's `tau import` calls this. The tensor-level helpers are in tensor_dict.h.

#include <string>
#include <vector>

namespace tau::core {

/** A checkpoint of the original repository, converted by packaging/tools/convert_original_checkpoint.py. */
struct ImportOptions
{
    std::string weights;  ///< the converted file: a dict of tensors named as our model's parameters
    std::string config;   ///< the run's config: the original's config.json (or one of ours)
    std::string dataset;  ///< fills a null dataset of the original config (its --dataset), or overrides it
    std::string runsDir = "runs";
    std::string expName;  ///< default: the config's exp_name
    std::vector<std::string> overrides; ///< key=value, as `tau train --set`
    std::vector<std::string> commandLine; ///< recorded in the run's provenance.json
};

struct ImportResult
{
    std::string runDirectory; ///< config.yaml and checkpoints/last.pt, like a run trained here
    size_t tensors = 0;       ///< parameters and buffers copied
};

/**
 * Builds the config's model, copies every parameter and buffer from the converted file (each must be there
 * with the right shape; nothing may be left over), and writes a new run directory that every tool here opens.
 * @throws ConfigError / DataError naming the file and the tensor that does not fit.
 */
ImportResult importConvertedCheckpoint(const ImportOptions& options);

} // namespace tau::core
