#include "app/cli/report_command.h"

#include "app/bridge/evaluation_views.h"
#include "app/bridge/core_values.h"
#include "core/config/config_loader.h"
#include "core/methods/system_catalog.h"
#include "core/evaluation/ranking.h"
#include "core/io/csv.h"
#include "core/io/evaluation_files.h"
#include "core/io/metrics_reader.h"
#include "core/io/run_directory.h"
#include "widgets/export/figure_export.h"
#include "widgets/plots/distribution_plot.h"
#include "widgets/plots/roc_plot.h"
#include "widgets/plots/scalar_plot.h"
#include "widgets/plots/training_curve_plot.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

#include <fstream>

namespace tau::app {

namespace {

const char* const kStyle = R"(body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.meta{color:#555}figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
figcaption{font-size:.85em;color:#555;max-width:520px}svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:.9em}td,th{padding:.25em .7em;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child,td:nth-child(2),th:nth-child(2),td:nth-child(3),th:nth-child(3){text-align:left}
pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:.85em}.warn{color:#7a4d00}
img.grid{image-rendering:pixelated;max-width:100%})";

QString escaped(const QString& text)
{
    return text.toHtmlEscaped();
}

/** The plot as inline SVG (the XML header dropped), drawn at a paper's column or page width. */
QString inlineSvg(QCustomPlot* plot, widgets::FigureSize size, QString& error, const widgets::PaperLayout& layout = {})
{
    QTemporaryDir scratch;
    const QString path = scratch.filePath(QStringLiteral("figure.svg"));
    widgets::FigureOptions options;
    options.size = size;
    error = widgets::exportFigure(plot, path, options, layout);
    if (!error.isEmpty()) {
        return {};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error = path + QStringLiteral(": cannot read back the figure");
        return {};
    }
    QString svg = QString::fromUtf8(file.readAll());
    const qsizetype start = svg.indexOf(QStringLiteral("<svg"));
    return start >= 0 ? svg.mid(start) : svg;
}

QString figure(const QString& svg, const QString& caption)
{
    return QStringLiteral("<figure>%1<figcaption>%2</figcaption></figure>\n").arg(svg, caption);
}

QString embeddedPng(const QString& path, const QString& alt)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return QStringLiteral("<img class=\"grid\" alt=\"%1\" src=\"data:image/png;base64,%2\">")
        .arg(escaped(alt), QString::fromLatin1(file.readAll().toBase64()));
}

/** The class of each row of a ranking's grids, top to bottom: rankings.csv's class_name in order of appearance. */
QStringList gridRowClasses(const QString& folder)
{
    std::ifstream csv((folder + QStringLiteral("/rankings.csv")).toStdString());
    std::vector<std::string> fields;
    QStringList classes;
    if (!core::readCsvRecord(csv, fields) || fields.size() < 2 || fields[1] != "class_name") {
        return classes; // a ranking of an older version, or none
    }
    while (core::readCsvRecord(csv, fields)) {
        const QString name = fields.size() > 1 ? QString::fromStdString(fields[1]) : QString();
        if (classes.isEmpty() || classes.back() != name) {
            classes << name;
        }
    }
    return classes;
}

QString metricsHtml(const QVector<widgets::MetricRow>& rows)
{
    QString html = QStringLiteral("<table><tr><th>OOD set</th><th>score</th><th>AUROC ↑</th><th>FPR@95 ↓</th>"
                                  "<th>AUPR-In ↑</th><th>AUPR-Out ↑</th></tr>\n");
    const auto cell = [](const widgets::MetricValue& metric) {
        QString text = QString::number(metric.value, 'f', 4);
        if (metric.interval) {
            text += QStringLiteral(" <small>[%1, %2]</small>").arg(metric.interval->first, 0, 'f', 3).arg(metric.interval->second, 0, 'f', 3);
        }
        return QStringLiteral("<td>%1</td>").arg(text);
    };
    for (const widgets::MetricRow& row : rows) {
        html += QStringLiteral("<tr><td>%1</td><td>%2</td>").arg(escaped(row.oodSet), escaped(row.score)) + cell(row.auroc) +
                cell(row.fpr95) + cell(row.auprIn) + cell(row.auprOut) + QStringLiteral("</tr>\n");
    }
    return html + QStringLiteral("</table>\n");
}

class ReportWriter
{
public:
    ReportWriter(const QString& runDirectory)
        : m_run(QDir(runDirectory).absolutePath())
        , m_paths{m_run.toStdString()}
    {
    }

    QString write(const QString& output)
    {
        const QString configPath = runFile(m_paths.config());
        if (!QFileInfo::exists(configPath)) {
            return configPath + QStringLiteral(": not found (expected a run directory written by tau train)");
        }
        const core::ExperimentConfig config = core::loadConfigFile(m_paths.config());
        const QString metricsPath = runFile(m_paths.metrics());
        const bool recorded = QFileInfo::exists(metricsPath); // an imported run has none
        const core::MetricsHistory history =
            recorded ? core::readMetricsFile(metricsPath.toStdString()) : core::MetricsHistory{};
        QString html;
        QTextStream out(&html);
        out << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>TaU Explorer report: "
            << escaped(QFileInfo(m_run).fileName()) << "</title><style>" << kStyle << "</style></head><body>\n";
        writeSummary(out, config, history);
        if (!recorded) {
            out << "<h2>Training</h2>\n<p class=\"meta\">This run has no training record (metrics.jsonl): an "
                   "imported run, or one whose record was removed.</p>\n";
        } else if (QString error = writeTraining(out, config, history); !error.isEmpty()) {
            return error;
        } else if (QString scalarError = writeScalars(out, history); !scalarError.isEmpty()) {
            return scalarError;
        }
        if (core::systemOf(config).learnsTemperature) {
            writeCertaintyGrids(out);
        }
        if (QString error = writeEvaluations(out); !error.isEmpty()) {
            return error;
        }
        QFile configFile(configPath);
        configFile.open(QIODevice::ReadOnly);
        out << "<h2>Config</h2>\n<pre>" << escaped(QString::fromUtf8(configFile.readAll())) << "</pre>\n";
        out << "<p class=\"meta\">Written by <code>tau report</code> on "
            << QDateTime::currentDateTime().toString(Qt::ISODate) << ".</p>\n</body></html>\n";
        QFile file(output);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(html.toUtf8()) < 0 || !file.flush()) {
            return output + QStringLiteral(": cannot write the report (%1)").arg(file.errorString());
        }
        return {};
    }

private:
    void writeSummary(QTextStream& out, const core::ExperimentConfig& config, const core::MetricsHistory& history)
    {
        out << "<h1>" << escaped(QFileInfo(m_run).fileName()) << "</h1>\n<p class=\"meta\">"
            << escaped(QString::fromStdString(config.system)) << " on " << escaped(QString::fromStdString(config.dataset.name))
            << " · encoder " << escaped(QString::fromStdString(config.model.encoder)) << " · " << history.epochs.size()
            << " of " << config.numEpochs << " epochs";
        if (!history.steps.empty()) {
            out << " · " << history.steps.back().step << " steps";
        }
        if (!history.epochs.empty()) {
            out << " · last epoch loss " << QString::number(history.epochs.back().loss, 'f', 4);
        }
        out << " · <code>" << escaped(m_run) << "</code></p>\n";
    }

    /**
     * The free-form scalars of the step and epoch records (knn_top1, an objective's diagnostics, another program's
     * values): a table of each one's first and last value, and its curve against the step.
     */
    QString writeScalars(QTextStream& out, const core::MetricsHistory& history)
    {
        widgets::ScalarPlot plot;
        plot.resize(800, 450);
        QMap<QString, QVector<QPair<long long, double>>> byName; // [name (step) or name (epoch)] (step, value)
        for (const core::StepRecord& step : history.steps) {
            for (const auto& [name, value] : step.scalars) {
                byName[QString::fromStdString(name)].append({step.step, value});
            }
        }
        for (const core::EpochRecord& epoch : history.epochs) {
            for (const auto& [name, value] : epoch.scalars) {
                byName[QString::fromStdString(name) + QStringLiteral(" (epoch)")].append({epoch.step, value});
            }
        }
        if (byName.isEmpty()) {
            return {};
        }
        out << "<h2>Scalars</h2>\n<table><tr><th>scalar</th><th>records</th><th>first</th><th>last</th></tr>\n";
        for (auto it = byName.cbegin(); it != byName.cend(); ++it) {
            out << "<tr><td>" << escaped(it.key()) << "</td><td>" << it.value().size() << "</td><td>"
                << QString::number(it.value().front().second, 'g', 6) << "</td><td>"
                << QString::number(it.value().back().second, 'g', 6) << "</td></tr>\n";
            for (const auto& [step, value] : it.value()) {
                plot.addPoint(it.key(), double(step), value);
            }
        }
        out << "</table>\n";
        for (const QString& name : byName.keys()) {
            plot.showSeries(name);
            QString error;
            out << figure(inlineSvg(plot.plot(), widgets::FigureSize::DoubleColumn, error),
                          escaped(name) + QStringLiteral(" against the step."));
            if (!error.isEmpty()) {
                return error;
            }
        }
        return {};
    }

    QString writeTraining(QTextStream& out, const core::ExperimentConfig& config, const core::MetricsHistory& history)
    {
        widgets::TrainingCurvePlot curves;
        curves.resize(800, 450);
        for (const core::StepRecord& step : history.steps) {
            curves.addStep(double(step.step), step.loss, step.learningRate);
        }
        for (const core::EpochRecord& epoch : history.epochs) {
            curves.addEpoch(double(epoch.step), epoch.loss);
        }
        curves.replotIfChanged();
        QString error;
        out << "<h2>Training</h2>\n"
            << figure(inlineSvg(curves.plot(), widgets::FigureSize::DoubleColumn, error),
                      QStringLiteral("Loss per step (smoothed), epoch means, and the learning rate (right axis)."));
        if (!error.isEmpty() || !core::systemOf(config).learnsTemperature) {
            return error;
        }
        const double t = config.loss.t;
        widgets::DistributionPlot certainty(QStringLiteral("c = sigmoid(r)"));
        widgets::DistributionPlot temperature(QStringLiteral("temperature τ = t / c"), nullptr,
                                              [t](double c) { return temperatureOf(t, c); });
        for (widgets::DistributionPlot* plot : {&certainty, &temperature}) {
            plot->resize(800, 600);
        }
        for (const core::EpochRecord& epoch : history.epochs) {
            if (epoch.hasTemperature) {
                const widgets::EpochHistogram histogram =
                    toWidgetHistogram(epoch.epoch, epoch.certaintyHistogram, epoch.certaintyPercentiles);
                certainty.addEpoch(histogram);
                temperature.addEpoch(histogram);
            }
            if (epoch.hasOutliers) {
                certainty.addComparison(toWidgetHistogram(epoch.epoch, epoch.outlierCertaintyHistogram,
                                                          epoch.outlierCertaintyPercentiles),
                                        QStringLiteral("synthetic outliers"));
            }
        }
        const bool outliers = !certainty.comparisonMedian().isEmpty();
        const QString outlierNote = outliers ? QStringLiteral(" The outline and the dashed line: the synthetic outliers "
                                                              "this run trained against (outlier exposure).")
                                             : QString();
        certainty.redraw();
        temperature.redraw();
        out << "<h2>Certainty and temperature</h2>\n"
            << figure(inlineSvg(certainty.histogramPlot(), widgets::FigureSize::Column, error),
                      QStringLiteral("Certainty c of the training images in the last epoch, with its 5/25/50/75/95th percentiles.") +
                          outlierNote)
            << figure(inlineSvg(certainty.evolutionPlot(), widgets::FigureSize::Column, error),
                      QStringLiteral("c epoch by epoch: the share of images per bin, with the percentile bands.") +
                          outlierNote)
            << figure(inlineSvg(temperature.histogramPlot(), widgets::FigureSize::Column, error),
                      QStringLiteral("The per-image temperature τ = t / c in the last epoch (t = %1).").arg(t));
        return error;
    }

    void writeCertaintyGrids(QTextStream& out)
    {
        QString folder = findEval(QStringLiteral("most_certain.png"));
        if (folder.isEmpty()) {
            // Rank now (a few seconds): the report should show the images, not ask for another command.
            core::RankingOptions options;
            options.checkpoint = m_run.toStdString();
            options.name = "report_rank";
            core::EvaluationObserver quiet;
            core::CancellationToken cancel;
            try {
                folder = QString::fromStdString(core::rankByCertainty(options, quiet, cancel).directory);
            } catch (const std::exception& error) {
                out << "<h2>Most and least certain images</h2>\n<p class=\"warn\">Not ranked: "
                    << escaped(QString::fromStdString(error.what())) << "</p>\n";
                return;
            }
        }
        const QStringList classes = gridRowClasses(folder);
        const QString rows = classes.isEmpty() ? QString()
                                               : QStringLiteral(" Rows from the top: %1.").arg(escaped(classes.join(QStringLiteral(", "))));
        out << "<h2>Most and least certain images</h2>\n<p class=\"meta\">Test images, a row per class (from "
            << escaped(QDir(m_run).relativeFilePath(folder)) << ").</p>\n"
            << figure(embeddedPng(folder + QStringLiteral("/most_certain.png"), QStringLiteral("most certain")),
                      QStringLiteral("Most certain (highest c) per class.") + rows)
            << figure(embeddedPng(folder + QStringLiteral("/least_certain.png"), QStringLiteral("least certain")),
                      QStringLiteral("Least certain (lowest c) per class.") + rows);
    }

    QString writeEvaluations(QTextStream& out)
    {
        const QStringList folders = evaluationNames();
        QStringList representation;
        for (const QString& name : folders) {
            const QString folder = runFile(m_paths.evaluation(name.toStdString()));
            const core::EvaluationSummary summary = core::summarizeEvaluationFolder(folder.toStdString());
            for (const auto& [classifier, top1] : {std::pair{QStringLiteral("linear"), summary.linearTop1},
                                                   std::pair{QStringLiteral("weighted kNN"), summary.knnTop1}}) {
                if (top1) {
                    representation << QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td></tr>")
                                          .arg(escaped(name), classifier)
                                          .arg(*top1, 0, 'f', 4);
                }
            }
            if (!summary.oodDetection) {
                continue;
            }
            EvaluationFolder evaluation;
            if (const QString error = readEvaluationFolder(folder, evaluation, false); !error.isEmpty()) {
                out << "<p class=\"warn\">" << escaped(error) << "</p>\n";
                continue;
            }
            widgets::RocPlot roc;
            roc.resize(900, 500);
            roc.setPanels(rocPanelsOf({evaluation}));
            QString error;
            out << "<h2>OOD detection: eval/" << escaped(name) << "</h2>\n<p class=\"meta\">In-distribution: "
                << escaped(evaluation.inDataset) << ".</p>\n"
                << figure(inlineSvg(roc.plot(), widgets::FigureSize::DoubleColumn, error, roc.paperLayout()),
                          QStringLiteral("ROC curves, a panel per OOD set; the circle marks 95% of ID images kept."));
            if (!error.isEmpty()) {
                return error;
            }
            for (const QString& warning : evaluation.warnings) {
                out << "<p class=\"warn\">" << escaped(warning) << "</p>\n";
            }
            out << metricsHtml(evaluation.rows);
        }
        if (!representation.isEmpty()) {
            out << "<h2>Representation quality</h2>\n<table><tr><th>evaluation</th><th>classifier</th><th>top-1</th></tr>\n"
                << representation.join(QLatin1Char('\n')) << "</table>\n";
        }
        return {};
    }

    QString findEval(const QString& file) const
    {
        for (const QString& name : evaluationNames()) {
            const QString folder = runFile(m_paths.evaluation(name.toStdString()));
            if (QFileInfo::exists(folder + QLatin1Char('/') + file)) {
                return folder;
            }
        }
        return {};
    }

    static QString runFile(const std::string& path) { return QString::fromStdString(path); }

    /** The run's evaluation folders (eval/<name>), by name. */
    QStringList evaluationNames() const
    {
        return QDir(runFile(m_paths.evaluations())).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    }

    QString m_run;
    core::RunPaths m_paths;
};

} // namespace

QString writeRunReport(const QString& runDirectory, const QString& output)
{
    qputenv("QT_QPA_PLATFORM", "offscreen"); // widgets draw the figures; no display needed
    int argc = 1;
    char name[] = "tau";
    char* argv[] = {name, nullptr};
    QApplication application(argc, argv);
    try {
        return ReportWriter(runDirectory).write(output);
    } catch (const std::exception& error) {
        return QString::fromStdString(error.what());
    }
}

} // namespace tau::app
