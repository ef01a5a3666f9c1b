// tau-figures: the commands of `tau` that draw with Qt (offscreen, no display needed): export and report.
// `tau export ...` and `tau report ...` run this program with the same arguments.

#include "app/cli/export_command.h"
#include "app/cli/report_command.h"
#include "core/common/build_info.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <vector>

int main(int argc, char** argv)
{
    CLI::App app{"TaU Explorer figures: paper figures and HTML reports from runs and their eval folders"};
    app.name("tau");
    app.require_subcommand(1);
    app.set_version_flag("--version", tau::core::versionReport("tau-figures"));

    std::string reportRun, reportOutput;
    bool json = false;
    CLI::App* report = app.add_subcommand("report", "Write a self-contained HTML report of a run");
    report->add_option("run_dir", reportRun, "the run directory")->required()->check(CLI::ExistingDirectory);
    report->add_option("-o,--output", reportOutput, "the HTML file (default: RUN_DIR/report.html)");
    report->add_flag("--json", json, "print the results as one JSON object on stdout");

    tau::app::ExportRequest request;
    std::string what, output, format, size = request.size.toStdString(), score, projection;
    CLI::App* exportCommand = app.add_subcommand("export", "Figures and tables for papers from an eval folder");
    exportCommand->add_option("what", what,
                              "roc, histograms (ID vs OOD scores) or embedding (tau embed's folder): a figure (pdf, "
                              "svg, png) or its data (csv); tables are tau export table's (no Qt)")
        ->required()
        ->check(CLI::IsMember({"roc", "histograms", "embedding"}));
    exportCommand->add_option("--score", score, "histograms: the score to show (default: the first)");
    exportCommand->add_option("--projection", projection, "embedding: pca or tsne (default: tsne when there)")
        ->check(CLI::IsMember({"pca", "tsne"}));
    std::string folder;
    exportCommand->add_option("eval_folder", folder, "RUN_DIR/eval/<name>, as tau ood wrote it")->required();
    exportCommand->add_option("-o,--output", output, "the file to write; its extension picks the format")->required();
    exportCommand->add_option("--format", format, "pdf, svg, png or csv (default: the output's extension)")
        ->check(CLI::IsMember({"pdf", "svg", "png", "csv"}));
    exportCommand->add_option("--size", size, "column (3.5 in) or page (7 in)")
        ->check(CLI::IsMember({"column", "page"}))
        ->capture_default_str();
    exportCommand->add_option("--dpi", request.dpi, "PNG resolution")->capture_default_str();
    exportCommand->add_flag("--log-fpr", request.logFpr, "logarithmic false-positive axis");
    exportCommand->add_flag("--titles", request.titles, "keep the plot's title (off: papers caption their figures)");
    exportCommand->add_flag("--grayscale", request.grayscale, "PNG: the figure as a grey print shows it");

    CLI11_PARSE(app, argc, argv);
    QString error;
    if (report->parsed()) {
        const std::string file = reportOutput.empty() ? reportRun + "/report.html" : reportOutput;
        error = tau::app::writeRunReport(QString::fromStdString(reportRun), QString::fromStdString(file));
        if (error.isEmpty()) {
            std::printf("%s\n", json ? nlohmann::json{{"report", file}}.dump(2).c_str() : ("wrote " + file).c_str());
        }
    } else {
        request.what = QString::fromStdString(what);
        request.evalFolder = QString::fromStdString(folder);
        request.output = QString::fromStdString(output);
        request.format = QString::fromStdString(format);
        request.size = QString::fromStdString(size);
        request.score = QString::fromStdString(score);
        request.projection = QString::fromStdString(projection);
        error = tau::app::runExport(request);
        if (error.isEmpty()) {
            std::printf("wrote %s\n", request.output.toStdString().c_str());
        }
    }
    if (!error.isEmpty()) {
        std::fprintf(stderr, "tau: error: %s\n", error.toStdString().c_str());
        return 1;
    }
    return 0;
}
