#pragma once

// Torch-free: the GUI asks the user and records the answer here; the CLI's --trust-script trusts every file.

#include "core/common/error.h"

#include <map>
#include <string>
#include <vector>

namespace tau::core {

/**
 * A TorchScript file refused because running it would do more than tensor math: what it calls beyond the
 * operators a plain encoder needs, or the code it would run while loading. The user may trust it (trustScript,
 * or tau's --trust-script) and try again.
 */
class UntrustedScriptError : public DataError
{
public:
    UntrustedScriptError(std::string path, std::vector<std::string> reasons);

    const std::string& path() const { return m_path; }
    /** e.g. "calls aten::save (writes files)", "defines __setstate__ (runs while loading)". */
    const std::vector<std::string>& reasons() const { return m_reasons; }

private:
    std::string m_path;
    std::vector<std::string> m_reasons;
};

/**
 * What running a TorchScript file that calls @p operators would do beyond tensor math, one reason per operator:
 * operators outside aten:: and prim:: (custom, distributed, quantized kernels of other libraries), and
 * aten::save and aten::from_file, the two of LibTorch's own that open files. Empty: plain tensor math.
 */
std::vector<std::string> operatorProblems(const std::vector<std::string>& operators);

/** What a TorchScript file's code (record name -> source) would run while it is being loaded: __setstate__. */
std::vector<std::string> loadTimeCodeProblems(const std::map<std::string, std::string>& code);

/** Lets the TorchScript file at @p path (by its canonical path) run whatever it calls, for this process. */
void trustScript(const std::string& path);

/** Lets every TorchScript file run whatever it calls, for this process (tau --trust-script). */
void trustAllScripts();

/** Whether @p path was trusted by trustScript or trustAllScripts. */
bool isScriptTrusted(const std::string& path);

} // namespace tau::core
