#pragma once

#include <torch/script.h>

#include <string>
#include <vector>

namespace tau::core {

/**
 * Loads a TorchScript module from a file someone else may have written (the frozen encoder of post-hoc TaU).
 * The file is audited first (auditTorchFile: sizes, CRCs, every pickle) and loaded from the audited bytes. Unless
 * the file is trusted (script_trust.h), it is refused with an UntrustedScriptError when its code would run while
 * loading (__setstate__) or when any of its functions calls an operator outside LibTorch's tensor math
 * (aten:: and prim::), or aten::save / aten::from_file, the two of those that open files.
 * @throws DataError for a damaged or crafted file, UntrustedScriptError for a program that does more than math.
 */
torch::jit::Module loadTorchScript(const std::string& path, const torch::Device& device);

/** Every operator the module's functions and methods call ("aten::conv2d", "prim::If", ...), sorted, once each. */
std::vector<std::string> scriptOperators(const torch::jit::Module& module);

} // namespace tau::core
