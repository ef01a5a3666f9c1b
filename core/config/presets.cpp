#include "core/config/presets.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

std::string environment(const char* name)
{
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

std::vector<std::string> split(const std::string& text, char separator)
{
    std::vector<std::string> parts;
    std::stringstream stream(text);
    for (std::string part; std::getline(stream, part, separator);) {
        if (!part.empty()) {
            parts.push_back(part);
        }
    }
    return parts;
}

/** $XDG_DATA_HOME (default ~/.local/share), then $XDG_DATA_DIRS (default /usr/local/share:/usr/share). */
std::vector<std::string> xdgDataDirectories()
{
    std::vector<std::string> directories;
    const std::string home = environment("XDG_DATA_HOME");
    if (!home.empty()) {
        directories.push_back(home);
    } else if (!environment("HOME").empty()) {
        directories.push_back(environment("HOME") + "/.local/share");
    }
    const std::string shared = environment("XDG_DATA_DIRS");
    for (const std::string& directory : split(shared.empty() ? "/usr/local/share:/usr/share" : shared, ':')) {
        directories.push_back(directory);
    }
    return directories;
}

fs::path executableFolder()
{
    std::error_code error;
    const fs::path self = fs::read_symlink("/proc/self/exe", error);
    return error ? fs::path() : self.parent_path();
}

/** Whether @p path lies inside @p folder (both made absolute and normal). */
bool isInside(const fs::path& path, const fs::path& folder)
{
    const fs::path normalPath = fs::weakly_canonical(path), normalFolder = fs::weakly_canonical(folder);
    const auto mismatch = std::mismatch(normalFolder.begin(), normalFolder.end(), normalPath.begin(), normalPath.end());
    return mismatch.first == normalFolder.end();
}

} // namespace

std::vector<std::string> presetDirectories(const std::vector<std::string>& dataDirectories)
{
    std::vector<fs::path> candidates;
    if (const std::string fromEnvironment = environment("TAU_CONFIGS_DIR"); !fromEnvironment.empty()) {
        candidates.emplace_back(fromEnvironment);
    }
    const fs::path folder = executableFolder();
    if (!folder.empty()) {
        candidates.push_back(folder.parent_path() / "share" / "tau-explorer" / "configs");
        if (isInside(folder, TAU_BINARY_DIR)) {
            candidates.emplace_back(fs::path(TAU_SOURCE_DIR) / "configs"); // a build in the checkout
        }
    }
    for (const std::string& data : dataDirectories.empty() ? xdgDataDirectories() : dataDirectories) {
        candidates.push_back(fs::path(data) / "tau-explorer" / "configs");
    }
    std::vector<std::string> found;
    for (const fs::path& candidate : candidates) {
        std::error_code error;
        if (!fs::is_directory(candidate, error)) {
            continue;
        }
        const std::string canonical = fs::canonical(candidate, error).string();
        if (!error && std::find(found.begin(), found.end(), canonical) == found.end()) {
            found.push_back(canonical);
        }
    }
    return found;
}

std::string presetName(const std::string& relativePath)
{
    const fs::path path(relativePath);
    const std::string stem = path.stem().string();
    const std::string folder = path.parent_path().string();
    if (folder.empty()) {
        return stem;
    }
    std::string name = stem + "_" + folder;
    std::replace(name.begin(), name.end(), '/', '_');
    return name;
}

std::vector<Preset> listPresets(const std::vector<std::string>& directories)
{
    std::map<std::string, Preset> byName;
    for (const std::string& directory : directories) {
        std::error_code error;
        for (fs::recursive_directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
            if (!it->is_regular_file() || (it->path().extension() != ".yaml" && it->path().extension() != ".json")) {
                continue;
            }
            const std::string relative = fs::relative(it->path(), directory).string();
            Preset preset{presetName(relative), relative, it->path().string()};
            byName.emplace(preset.name, preset); // an earlier folder's preset of that name stays
        }
    }
    std::vector<Preset> presets;
    for (auto& [name, preset] : byName) {
        presets.push_back(std::move(preset));
    }
    return presets;
}

std::optional<std::string> findDocument(const std::string& fileName)
{
    std::vector<fs::path> candidates;
    const fs::path folder = executableFolder();
    if (!folder.empty()) {
        candidates.push_back(folder.parent_path() / "share" / "doc" / "tau-explorer" / fileName);
        if (isInside(folder, TAU_BINARY_DIR)) {
            candidates.push_back(fs::path(TAU_SOURCE_DIR) / fileName);
        }
    }
    candidates.push_back(fs::path("/usr/share/doc/tau-explorer") / fileName);
    for (const fs::path& candidate : candidates) {
        std::error_code error;
        if (fs::is_regular_file(candidate, error)) {
            return candidate.string();
        }
    }
    return std::nullopt;
}

std::optional<std::string> findPreset(const std::string& name, const std::vector<std::string>& directories)
{
    for (const Preset& preset : listPresets(directories)) {
        if (preset.name == name) {
            return preset.path;
        }
    }
    return std::nullopt;
}

} // namespace tau::core
