#pragma once

// Torch-free: names taken from files (a config's exp_name, an OOD config's name, wnids.txt, OOD set names) become
// parts of paths only through these two functions, so no file can place a write outside its run or export folder.

#include <string>

namespace tau::core {

/**
 * Why @p name cannot be a folder or file name of its own: empty, "." or "..", a '/' or '\' (it would leave the
 * folder it is joined to), or a control character. Empty when it can; else "expected ..., got '<name>'".
 */
std::string pathComponentProblem(const std::string& name);

/** @p text inside a file name: '/', '\', '%' and control characters become %XX; every other byte stays as it is. */
std::string fileNamePart(const std::string& text);

} // namespace tau::core
