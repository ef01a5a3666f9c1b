// tau: the headless command line, for machines without a display. It links no Qt: the commands that draw
// (export, report) are handed over to tau-figures, installed beside it.

#include "app/cli/cli_support.h"
#include "app/cli/command.h"
#include "app/cli/commands/commands.h"
#include "core/common/build_info.h"
#include "core/common/error.h"
#include "core/models/script_trust.h"

#include <CLI/CLI.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <utility>

namespace {

using namespace tau::app::cli;

bool isFigureCommand(const char* name)
{
    for (const HandedOverCommand& command : figureCommands()) {
        if (std::strcmp(command.name, name) == 0) {
            return true;
        }
    }
    return false;
}

/** Replaces this process with tau-figures from tau's own folder, with the same arguments. */
int handOverToFigures(char** argv)
{
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::string figures = ((error ? std::filesystem::path(argv[0]) : self).parent_path() / "tau-figures").string();
    argv[0] = const_cast<char*>(figures.c_str());
    execv(figures.c_str(), argv);
    std::fprintf(stderr,
                 "tau: error: %s: cannot run it (%s); `tau %s` draws with Qt and lives in tau-figures, which is built "
                 "with the GUI (TAU_BUILD_GUI=ON)\n",
                 figures.c_str(), std::strerror(errno), argv[1]);
    return 1;
}

} // namespace

int main(int argc, char** argv)
{
    // tau export features|weights|tensorboard|table (and tau export --help) stay here; the figure kinds of export go
    // to tau-figures.
    const bool headlessExport = argc > 1 && std::strcmp(argv[1], "export") == 0 && (argc < 3 || isHeadlessExport(argv[2]) ||
                                                                                  argv[2][0] == '-');
    if (argc > 1 && isFigureCommand(argv[1]) && !headlessExport) {
        return handOverToFigures(argv);
    }
    commandLine().assign(argv, argv + argc);
    // Past a file-size limit (ulimit -f) a write then fails with "file too large", and tau says so, instead of
    // being killed by SIGXFSZ in the middle of a checkpoint.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{"TaU Explorer command line: train and evaluate Temperature-as-Uncertainty contrastive models"};
    app.require_subcommand(1);
    app.set_version_flag("--version", tau::core::versionReport("tau"));
    const std::vector<std::unique_ptr<Command>> commands = headlessCommands();
    std::vector<std::pair<CLI::App*, Command*>> table;
    bool trustScripts = false;
    for (const std::unique_ptr<Command>& command : commands) {
        CLI::App* subcommand = command->add(app);
        if (command->reportsNumbers()) {
            subcommand->add_flag("--json", jsonOutput(), "print the results as one JSON object on stdout");
        }
        if (command->buildsModels()) {
            subcommand->add_flag("--trust-script", trustScripts,
                                 "run a TorchScript encoder (model.encoder_torchscript) even where it calls operators "
                                 "beyond tensor math or runs code while loading: a TorchScript file is a program");
        }
        table.emplace_back(subcommand, command.get());
    }
    for (const HandedOverCommand& command : figureCommands()) {
        const auto named = [&command](const CLI::App* sub) { return sub->get_name() == command.name; };
        if (std::as_const(app).get_subcommands(named).empty()) { // export has a headless part already
            app.add_subcommand(command.name, command.description)->allow_extras(); // listed by --help only
        }
    }
    CLI11_PARSE(app, argc, argv);
    if (trustScripts) {
        tau::core::trustAllScripts();
    }
    try {
        for (const auto& [subcommand, command] : table) {
            if (subcommand->parsed()) {
                return command->run();
            }
        }
        return 1;
    } catch (const tau::core::ConfigError& error) {
        std::fprintf(stderr, "tau: error: %s\n", error.what());
        return 2;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "tau: error: %s\n", error.what());
        return 1;
    }
}
