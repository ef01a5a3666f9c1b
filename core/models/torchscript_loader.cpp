#include "core/models/torchscript_loader.h"

#include "core/common/error.h"
#include "core/io/memory_stream.h"
#include "core/io/torch_archive.h"
#include "core/models/script_trust.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>

#include <set>

namespace tau::core {

namespace {

void collectOperators(const torch::jit::Block* block, std::set<std::string>& operators)
{
    for (const torch::jit::Node* node : block->nodes()) {
        operators.insert(node->kind().toQualString());
        for (const torch::jit::Block* inner : node->blocks()) {
            collectOperators(inner, operators);
        }
        if (node->hasAttribute(torch::jit::attr::Subgraph)) {
            collectOperators(node->g(torch::jit::attr::Subgraph)->block(), operators);
        }
    }
}

std::string firstLine(const c10::Error& error)
{
    const std::string message = error.what_without_backtrace();
    return message.substr(0, message.find('\n'));
}

} // namespace

std::vector<std::string> scriptOperators(const torch::jit::Module& module)
{
    std::set<std::string> operators;
    // The compilation unit holds every function and every method of every class the file defines.
    for (torch::jit::Function* function : module._ivalue()->compilation_unit()->get_functions()) {
        if (function->isGraphFunction()) {
            collectOperators(torch::jit::toGraphFunction(*function).graph()->block(), operators);
        }
    }
    return {operators.begin(), operators.end()};
}

torch::jit::Module loadTorchScript(const std::string& path, const torch::Device& device)
{
    std::vector<uint8_t> bytes;
    const TorchArchiveAudit audit = auditTorchFile(path, &bytes);
    if (!audit.problem.empty()) {
        throw DataError(path + ": not a loadable TorchScript module: " + audit.problem);
    }
    const bool trusted = isScriptTrusted(path);
    if (!trusted) {
        if (std::vector<std::string> reasons = loadTimeCodeProblems(audit.code); !reasons.empty()) {
            throw UntrustedScriptError(path, std::move(reasons));
        }
    }
    torch::jit::Module module;
    try {
        MemoryInputStream stream(bytes);
        module = torch::jit::load(stream, device);
    } catch (const c10::Error& error) {
        throw DataError(path + ": not a loadable TorchScript module: " + firstLine(error));
    }
    if (!trusted) {
        if (std::vector<std::string> reasons = operatorProblems(scriptOperators(module)); !reasons.empty()) {
            throw UntrustedScriptError(path, std::move(reasons));
        }
    }
    return module;
}

} // namespace tau::core
