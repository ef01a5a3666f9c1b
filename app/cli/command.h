#pragma once

// The `tau` command line is a table of commands: each lives in its own file under app/cli/commands/, adds its
// options to CLI11 (defaults taken from the core's option structs, shown by --help) and runs.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tau::app::cli {

/** One subcommand of `tau`. */
class Command
{
public:
    virtual ~Command() = default;
    /** Adds the subcommand and its options to @p app; returns it. */
    virtual CLI::App* add(CLI::App& app) = 0;
    /** Runs it after a successful parse; the exit code (see the README). */
    virtual int run() = 0;
    /** Whether --json applies (the command reports numbers). */
    virtual bool reportsNumbers() const { return true; }
    /** Whether it builds a run's model, which may hold a TorchScript encoder (then --trust-script applies). */
    virtual bool buildsModels() const { return true; }
};

/** The commands of the headless `tau`, in the order --help lists them. */
std::vector<std::unique_ptr<Command>> headlessCommands();

/** The commands `tau` hands over to `tau-figures` (they draw with Qt), as name and one-line description. */
struct HandedOverCommand
{
    const char* name;
    const char* description;
};
const std::vector<HandedOverCommand>& figureCommands();

} // namespace tau::app::cli
