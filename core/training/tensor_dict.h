#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <map>
#include <string>

namespace tau::core {

/**
 * Reads a file written by Python's torch.save({name: tensor, ...}): a plain dict (an OrderedDict, which the
 * C++ unpickler rejects, must be converted with dict() first). @throws DataError naming the file.
 */
std::map<std::string, torch::Tensor> loadTensorDict(const std::string& path);

/**
 * Copies @p tensors into @p module's parameters and buffers by name. Every one of them must be present with
 * its shape, and no tensor may be left unused. @throws DataError listing what is missing, extra or misshapen.
 */
void copyNamedTensors(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                      const std::string& source);

} // namespace tau::core
