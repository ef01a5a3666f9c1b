#include "app/pages/train_page.h"

#include "app/bridge/core_values.h"
#include "app/config/config_editor.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/metrics_reader.h"
#include "core/io/run_directory.h"
#include "widgets/export/figure_export.h"
#include "widgets/plots/distribution_plot.h"
#include "widgets/plots/scalar_plot.h"
#include "widgets/plots/training_curve_plot.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace tau::app {

namespace {
// A recorded run's curves show at most this many steps of each run: a history of 10^6 steps opens as fast, and
// in as little memory, as one of 10^4 (the file is scanned; only the shown records are parsed).
constexpr size_t kRecordedStepsShown = 8192;
} // namespace

TrainPage::TrainPage(ConfigEditor* editor, QWidget* parent) : QWidget(parent), m_editor(editor)
{
    auto* plots = new QSplitter(Qt::Vertical);
    plots->addWidget(buildCurvePanel());
    plots->addWidget(buildDistributions());
    plots->setStretchFactor(0, 1);
    plots->setStretchFactor(1, 1);

    auto* main = new QSplitter(Qt::Horizontal);
    main->addWidget(m_editor);
    main->addWidget(plots);
    main->setStretchFactor(0, 0);
    main->setStretchFactor(1, 1);
    main->setSizes({400, 880}); // wide enough for the config's comments
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(main);
}

QWidget* TrainPage::buildCurvePanel()
{
    m_curves = new widgets::TrainingCurvePlot;
    m_curves->setObjectName(QStringLiteral("trainingCurves"));
    auto* panel = new QWidget;
    auto* layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* controls = new QHBoxLayout;
    auto* smoothing = new QDoubleSpinBox;
    smoothing->setObjectName(QStringLiteral("smoothing"));
    smoothing->setRange(0.0, 0.99);
    smoothing->setSingleStep(0.1);
    smoothing->setValue(m_curves->smoothing());
    smoothing->setToolTip(tr("Exponential moving average of the step loss, debiased (0: off)"));
    connect(smoothing, &QDoubleSpinBox::valueChanged, m_curves, &widgets::TrainingCurvePlot::setSmoothing);
    auto* logarithmic = new QCheckBox(tr("Log scale"));
    logarithmic->setObjectName(QStringLiteral("logScale"));
    connect(logarithmic, &QCheckBox::toggled, m_curves, &widgets::TrainingCurvePlot::setLogarithmic);
    controls->addWidget(new QLabel(tr("Smoothing")));
    controls->addWidget(smoothing);
    controls->addWidget(logarithmic);
    controls->addStretch(1);
    layout->addLayout(controls);
    layout->addWidget(m_curves, 1);
    return panel;
}

QWidget* TrainPage::buildDistributions()
{
    m_certaintyPlot = new widgets::DistributionPlot(tr("c = sigmoid(r)"));
    m_certaintyPlot->setObjectName(QStringLiteral("certaintyPlot"));
    m_rawPlot = new widgets::DistributionPlot(tr("raw r"));
    m_rawPlot->setObjectName(QStringLiteral("rawPlot"));
    // tau = t / c from the c histograms: exact for the percentiles, bins re-labelled edge by edge.
    m_temperaturePlot = new widgets::DistributionPlot(tr("temperature τ = t / c"), nullptr, [this](double c) {
        return temperatureOf(m_globalTemperature, c);
    });
    m_temperaturePlot->setObjectName(QStringLiteral("temperaturePlot"));
    auto* distributions = new QTabWidget;
    distributions->addTab(m_certaintyPlot, tr("Certainty c"));
    distributions->addTab(m_temperaturePlot, tr("Temperature τ"));
    distributions->addTab(m_rawPlot, tr("Raw r"));
    m_scalarPlot = new widgets::ScalarPlot;
    m_scalarPlot->setObjectName(QStringLiteral("scalarPlot"));
    distributions->addTab(m_scalarPlot, tr("Scalars"));
    distributions->setToolTip(tr("c near 1: certain (temperature near t); c near 0: uncertain. When c piles up "
                                 "at 1, the raw r still shows differences."));
    return distributions;
}

void TrainPage::clearPlots()
{
    m_curves->clear();
    m_certaintyPlot->clear();
    m_rawPlot->clear();
    m_temperaturePlot->clear();
    m_scalarPlot->clear();
}

void TrainPage::beginRun(double t)
{
    clearPlots();
    m_globalTemperature = t;
    m_curves->setOverlays({});
}

void TrainPage::addStep(const core::StepRecord& record)
{
    m_curves->addStep(double(record.step), record.loss, record.learningRate);
    for (const auto& [name, value] : record.scalars) {
        m_scalarPlot->addPoint(QString::fromStdString(name), double(record.step), value);
    }
}

void TrainPage::addEpoch(const core::EpochRecord& record)
{
    m_curves->addEpoch(double(record.step), record.loss);
    for (const auto& [name, value] : record.scalars) {
        m_scalarPlot->addPoint(QString::fromStdString(name), double(record.step), value);
    }
    if (record.hasTemperature) {
        m_certaintyPlot->addEpoch(toWidgetHistogram(record.epoch, record.certaintyHistogram, record.certaintyPercentiles));
        m_rawPlot->addEpoch(toWidgetHistogram(record.epoch, record.rawHistogram, record.rawPercentiles));
        m_temperaturePlot->addEpoch(toWidgetHistogram(record.epoch, record.certaintyHistogram, record.certaintyPercentiles));
    }
}

QString TrainPage::showRecordedRuns(const QStringList& directories)
{
    clearPlots();
    QString message;
    QVector<widgets::CurveSeries> overlays;
    for (int i = 0; i < directories.size(); ++i) {
        const core::RunPaths run{directories[i].toStdString()};
        core::MetricsHistory history;
        try {
            history = core::readMetricsFile(run.metrics(), core::MetricsReadOptions{kRecordedStepsShown});
        } catch (const core::TauError& error) {
            message = QString::fromStdString(error.what());
            continue;
        }
        if (i == 0) {
            try {
                m_globalTemperature = core::loadConfigFile(run.config()).loss.t;
            } catch (const core::TauError&) {
                m_globalTemperature = core::LossConfig{}.t;
            }
            for (const core::StepRecord& step : history.steps) {
                addStep(step);
            }
            for (const core::EpochRecord& epoch : history.epochs) {
                addEpoch(epoch);
            }
            message = history.worldSize > 1
                          ? tr("Showing %1 (trained data-parallel by %2 processes)").arg(directories[i]).arg(history.worldSize)
                          : tr("Showing %1").arg(directories[i]);
            if (history.stepStride > 1) {
                message += tr(" · 1 step in %1 shown, of %2").arg(history.stepStride).arg(history.stepRecordsInFile);
            }
            if (!history.warnings.empty()) {
                message += tr(" · %n unreadable line(s) of metrics.jsonl skipped", nullptr, int(history.warnings.size()));
            }
        } else {
            widgets::CurveSeries series;
            series.name = QFileInfo(directories[i]).fileName();
            for (const core::StepRecord& step : history.steps) {
                series.steps.append(double(step.step));
                series.losses.append(step.loss);
            }
            overlays.append(series);
        }
    }
    m_curves->setOverlays(overlays);
    return message;
}

QVector<FigureEntry> TrainPage::figures() const
{
    QVector<FigureEntry> figures = {{tr("Training curves"), m_curves->plot(), {}}};
    const QList<QPair<QString, widgets::DistributionPlot*>> distributions = {
        {tr("Certainty c"), m_certaintyPlot}, {tr("Temperature tau"), m_temperaturePlot}, {tr("Raw r"), m_rawPlot}};
    for (const auto& [name, plot] : distributions) {
        figures.append({name + tr(" histogram"), plot->histogramPlot(), {}});
        figures.append({name + tr(" by epoch"), plot->evolutionPlot(), {}});
    }
    figures.append({tr("Scalars"), m_scalarPlot->plot(), {}});
    for (FigureEntry& figure : figures) {
        figure.csv = [plot = figure.plot] { return widgets::plotDataCsv(plot); };
    }
    return figures;
}

} // namespace tau::app
