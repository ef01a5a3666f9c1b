#pragma once

// The shipped configs ("presets"), wherever the tool runs from: a build in the checkout, or an installed package.
// Torch-free and Qt-free: tau train finds them by name, the GUI lists them.

#include <optional>
#include <string>
#include <vector>

namespace tau::core {

/** A shipped config: its name (tau_simclr_fashion_mnist for configs/fashion_mnist/tau_simclr.yaml) and its file. */
struct Preset
{
    std::string name;
    std::string relativePath; ///< within its presets folder, e.g. fashion_mnist/tau_simclr.yaml
    std::string path;
};

/**
 * The folders that hold presets, in the order they are searched (those that exist): $TAU_CONFIGS_DIR; the installed
 * layout beside the executable (<prefix>/bin/tau -> <prefix>/share/tau-explorer/configs); the checkout's configs/
 * when the executable is one built from it; then tau-explorer/configs in each of @p dataDirectories (the GUI passes
 * QStandardPaths' generic data locations) or, when none are given, in $XDG_DATA_HOME and $XDG_DATA_DIRS.
 */
std::vector<std::string> presetDirectories(const std::vector<std::string>& dataDirectories = {});

/** Every preset of @p directories, sorted by name; a name found in an earlier folder hides later ones. */
std::vector<Preset> listPresets(const std::vector<std::string>& directories);

/** A preset's name from its path within a presets folder: <file>_<folder>, or <file> at the top (default). */
std::string presetName(const std::string& relativePath);

/**
 * A shipped document (README.md, LICENSE): in <prefix>/share/doc/tau-explorer beside the installed executable, or at
 * the checkout's top when the executable is built from it.
 */
std::optional<std::string> findDocument(const std::string& fileName);

/** The file of the preset called @p name, if there is one. */
std::optional<std::string> findPreset(const std::string& name, const std::vector<std::string>& directories);

} // namespace tau::core
