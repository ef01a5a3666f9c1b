#include "core/models/script_trust.h"

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>

namespace tau::core {

namespace {

std::mutex g_lock;
std::set<std::string> g_trusted; // canonical paths
std::atomic<bool> g_trustAll{false};

std::string canonical(const std::string& path)
{
    std::error_code error;
    const std::filesystem::path resolved = std::filesystem::weakly_canonical(path, error);
    return error ? path : resolved.string();
}

std::string joined(const std::vector<std::string>& reasons)
{
    std::string text;
    for (const std::string& reason : reasons) {
        text += (text.empty() ? "" : "; ") + reason;
    }
    return text;
}

} // namespace

UntrustedScriptError::UntrustedScriptError(std::string path, std::vector<std::string> reasons)
    : DataError(path + ": a TorchScript file is a program, and this one does more than tensor math: " + joined(reasons) +
                ". Run it only if you trust where it came from: tau ... --trust-script, tau-explorer --trust-script, or Trust "
                "when the explorer asks")
    , m_path(std::move(path))
    , m_reasons(std::move(reasons))
{
}

std::vector<std::string> operatorProblems(const std::vector<std::string>& operators)
{
    static const std::map<std::string, std::string> fileOperators = {
        {"aten::save", "calls aten::save (torch.save: writes files)"},
        {"aten::from_file", "calls aten::from_file (torch.from_file: reads, and may map writable, any file)"}};
    std::vector<std::string> problems;
    for (const std::string& name : operators) {
        const std::string space = name.substr(0, name.find("::"));
        if (const auto found = fileOperators.find(name); found != fileOperators.end()) {
            problems.push_back(found->second);
        } else if (space != "aten" && space != "prim") {
            problems.push_back("calls " + name + " (outside LibTorch's tensor operators aten:: and prim::)");
        }
    }
    return problems;
}

std::vector<std::string> loadTimeCodeProblems(const std::map<std::string, std::string>& code)
{
    std::vector<std::string> problems;
    for (const auto& [record, source] : code) {
        // The unpickler calls a class's __setstate__ while loading, before anything could inspect the module.
        if (source.find("__setstate__") != std::string::npos) {
            problems.push_back("defines __setstate__ in " + record + " (code that runs while the file loads)");
        }
    }
    return problems;
}

void trustScript(const std::string& path)
{
    const std::lock_guard<std::mutex> lock(g_lock);
    g_trusted.insert(canonical(path));
}

void trustAllScripts()
{
    g_trustAll = true;
}

bool isScriptTrusted(const std::string& path)
{
    if (g_trustAll) {
        return true;
    }
    const std::lock_guard<std::mutex> lock(g_lock);
    return g_trusted.count(canonical(path)) > 0;
}

} // namespace tau::core
