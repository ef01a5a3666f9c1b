#pragma once

#include "core/common/error.h"
#include "core/common/gpu_memory.h"

#include <c10/util/Exception.h>

#include <string>

namespace tau::core {

/**
 * Runs @p work; an error from inside LibTorch (a shape that does not fit, an operator missing on a device)
 * becomes a TauError that says which job it stopped, with LibTorch's first line and no C++ backtrace. Running out
 * of GPU memory says what was asked for, what was free and what to lower.
 */
template <typename Work>
auto translateTorchErrors(const std::string& job, Work&& work) -> decltype(work())
{
    try {
        return work();
    } catch (const TauError&) {
        throw;
    } catch (const c10::OutOfMemoryError& error) {
        throw TauError(outOfMemoryMessage(error.what_without_backtrace(), job, "--batch-size", 0));
    } catch (const c10::Error& error) {
        const std::string message = error.what_without_backtrace();
        throw TauError(job + " failed inside LibTorch: " + message.substr(0, message.find('\n')));
    }
}

} // namespace tau::core
