// How the window copes with a large runs folder: 300 runs, one of them with 10^6 step records. Times the window
// opening on that folder (the Runs panel summarises every run) and showing the long run's curves, and the peak
// memory each adds; then, for contrast, a full read of the long history. Prints JSON (./tau bench runs).
#include "app/mainwindow/main_window.h"
#include "app/models/runs_model.h"
#include "core/config/config_loader.h"
#include "core/io/metrics_reader.h"
#include "core/io/run_directory.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTableView>
#include <QTemporaryDir>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

constexpr int kRuns = 300;
constexpr long long kLongRunSteps = 1000000;
constexpr long long kStepsPerEpoch = 1000;

/** A kilobyte figure of /proc/self/status ("VmRSS", "VmHWM"). */
double statusMegabytes(const char* field)
{
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind(field, 0) == 0) {
            return std::stod(line.substr(line.find(':') + 1)) / 1024.0;
        }
    }
    return 0;
}

/** Starts a new peak: what VmHWM shows from here on is the peak of what follows. */
void resetPeakMemory()
{
    std::ofstream("/proc/self/clear_refs") << "5";
}

tau::core::EpochRecord epochRecord(int epoch, long long step, double loss)
{
    tau::core::EpochRecord record;
    record.epoch = epoch;
    record.step = step;
    record.loss = loss;
    record.hasTemperature = true;
    tau::core::Histogram histogram;
    for (int edge = 0; edge <= 40; ++edge) {
        histogram.edges.push_back(edge / 40.0);
    }
    histogram.counts.assign(40, 100);
    record.certaintyHistogram = record.rawHistogram = histogram;
    record.certaintyPercentiles = record.rawPercentiles = {0.1, 0.3, 0.5, 0.7, 0.9, 0.5};
    return record;
}

/** A run folder as `tau train` leaves it: config.yaml and metrics.jsonl, written by the tool's own writers. */
void writeRun(const QString& runs, const QString& name, long long steps, long long stepsPerEpoch)
{
    const tau::core::RunPaths paths{(runs + "/" + name).toStdString()};
    std::filesystem::create_directories(paths.root);
    tau::core::ExperimentConfig config = tau::core::loadConfigText("exp_name: " + name.toStdString() + "\n", "bench");
    config.numEpochs = int(steps / stepsPerEpoch);
    std::ofstream(paths.config()) << tau::core::toYaml(config);
    tau::core::MetricsWriter writer(paths.metrics());
    writer.writeEvent("start", "benchmark", 1);
    for (long long step = 1; step <= steps; ++step) {
        tau::core::StepRecord record;
        record.epoch = int((step - 1) / stepsPerEpoch) + 1;
        record.step = step;
        record.loss = 5.0 / (1.0 + 1e-4 * double(step));
        record.learningRate = 1e-3;
        record.imagesPerSecond = 2000;
        record.meanCertainty = 0.5;
        writer.write(record);
        if (step % stepsPerEpoch == 0) {
            writer.write(epochRecord(record.epoch, step, record.loss));
        }
    }
    writer.writeEvent("finished", "");
}

double millisecondsSince(const QElapsedTimer& clock)
{
    return double(clock.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char** argv)
{
    QApplication application(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("tau-explorer-benchmark")); // not the user's settings
    QTemporaryDir scratch;
    const QString runs = scratch.filePath(QStringLiteral("runs"));
    for (int run = 0; run < kRuns - 1; ++run) {
        writeRun(runs, QStringLiteral("run_%1").arg(run, 3, 10, QChar('0')), 150, 50);
    }
    writeRun(runs, QStringLiteral("zz_long"), kLongRunSteps, kStepsPerEpoch);
    const QString longMetrics = runs + "/zz_long/metrics.jsonl";
    const double fileMegabytes = double(QFile(longMetrics).size()) / 1e6;
    QDir::setCurrent(scratch.path()); // the window shows ./runs

    const double baseline = statusMegabytes("VmRSS");
    resetPeakMemory();
    QElapsedTimer clock;
    clock.start();
    tau::app::MainWindow window;
    window.show();
    QApplication::processEvents();
    const double openMs = millisecondsSince(clock);
    const int rows = window.runsModel()->rowCount();

    clock.restart();
    window.runsView()->selectRow(rows - 1);
    window.showSelectedRuns();
    QApplication::processEvents();
    const double showMs = millisecondsSince(clock);
    const double windowPeak = statusMegabytes("VmHWM") - baseline;

    resetPeakMemory();
    const double beforeFull = statusMegabytes("VmRSS");
    clock.restart();
    const tau::core::MetricsHistory full = tau::core::readMetricsFile(longMetrics.toStdString());
    const double fullMs = millisecondsSince(clock);
    const double fullPeak = statusMegabytes("VmHWM") - beforeFull;
    const tau::core::MetricsHistory shown =
        tau::core::readMetricsFile(longMetrics.toStdString(), tau::core::MetricsReadOptions{8192});

    std::printf("{\"runs\": %d, \"long_steps\": %lld, \"long_file_mb\": %.1f, \"open_window_ms\": %.1f, "
                "\"show_long_run_ms\": %.1f, \"window_peak_mb\": %.1f, \"steps_shown\": %zu, \"stride\": %lld, "
                "\"full_read_ms\": %.1f, \"full_read_peak_mb\": %.1f, \"full_steps\": %zu}\n",
                rows, kLongRunSteps, fileMegabytes, openMs, showMs, windowPeak, shown.steps.size(), shown.stepStride,
                fullMs, fullPeak, full.steps.size());
    return rows == kRuns ? 0 : 1;
}
