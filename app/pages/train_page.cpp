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
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

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
    auto* axis = new QComboBox;
    axis->setObjectName(QStringLiteral("xAxis"));
    axis->addItems({tr("step"), tr("epoch"), tr("images seen")});
    axis->setToolTip(tr("What the x-axis counts: runs of other batch sizes line up by epoch or by images seen"));
    connect(axis, &QComboBox::currentIndexChanged, this, [this](int index) { setXAxis(XAxis(index)); });
    auto* groupSeeds = new QCheckBox(tr("Group seeds"));
    groupSeeds->setObjectName(QStringLiteral("groupSeeds"));
    groupSeeds->setChecked(m_groupSeeds);
    groupSeeds->setToolTip(tr("Selected runs alike but for the seed: one mean curve with a ±1 std band"));
    connect(groupSeeds, &QCheckBox::toggled, this, &TrainPage::setGroupSeeds);
    controls->addWidget(new QLabel(tr("Smoothing")));
    controls->addWidget(smoothing);
    controls->addWidget(logarithmic);
    controls->addWidget(new QLabel(tr("x")));
    controls->addWidget(axis);
    controls->addWidget(groupSeeds);
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

void TrainPage::beginRun(double t, int batchSize)
{
    clearPlots();
    m_globalTemperature = t;
    m_curves->setOverlays({});
    m_live = true;
    m_liveSteps.clear();
    m_liveEpochs.clear();
    m_liveScale = {double(batchSize), 0.0};
}

double TrainPage::xOf(double step, const Scale& scale) const
{
    switch (m_xAxis) {
    case XAxis::Epoch: return scale.stepsPerEpoch > 0 ? step / scale.stepsPerEpoch : step;
    case XAxis::Images: return scale.batchSize > 0 ? step * scale.batchSize : step;
    case XAxis::Step: break;
    }
    return step;
}

void TrainPage::setXAxis(XAxis axis)
{
    m_xAxis = axis;
    const QString labels[] = {tr("step"), tr("epoch"), tr("images seen")};
    m_curves->setXLabel(labels[int(axis)]);
    replay();
}

void TrainPage::setGroupSeeds(bool group)
{
    m_groupSeeds = group;
    if (!m_live) {
        replay();
    }
}

void TrainPage::replay()
{
    if (!m_live) {
        showRecordedRuns(m_shownRuns);
        return;
    }
    m_curves->clear();
    for (const core::StepRecord& step : m_liveSteps) {
        plotStep(step, m_liveScale);
    }
    for (const core::EpochRecord& epoch : m_liveEpochs) {
        m_curves->addEpoch(xOf(double(epoch.step), m_liveScale), epoch.loss);
    }
}

void TrainPage::addStep(const core::StepRecord& record)
{
    m_liveSteps.push_back(record);
    if (record.stepsPerEpoch > 0) {
        m_liveScale.stepsPerEpoch = record.stepsPerEpoch;
    }
    plotStep(record, m_liveScale);
}

void TrainPage::plotStep(const core::StepRecord& record, const Scale& scale)
{
    m_curves->addStep(xOf(double(record.step), scale), record.loss, record.learningRate);
    for (const auto& [name, value] : record.scalars) {
        m_scalarPlot->addPoint(QString::fromStdString(name), double(record.step), value);
    }
}

void TrainPage::addEpoch(const core::EpochRecord& record)
{
    m_liveEpochs.push_back(record);
    plotEpoch(record, m_liveScale);
}

void TrainPage::plotEpoch(const core::EpochRecord& record, const Scale& scale)
{
    m_curves->addEpoch(xOf(double(record.step), scale), record.loss);
    for (const auto& [name, value] : record.scalars) {
        m_scalarPlot->addPoint(QString::fromStdString(name), double(record.step), value);
    }
    if (record.hasTemperature) {
        m_certaintyPlot->addEpoch(toWidgetHistogram(record.epoch, record.certaintyHistogram, record.certaintyPercentiles));
        m_rawPlot->addEpoch(toWidgetHistogram(record.epoch, record.rawHistogram, record.rawPercentiles));
        m_temperaturePlot->addEpoch(toWidgetHistogram(record.epoch, record.certaintyHistogram, record.certaintyPercentiles));
    }
}

namespace {

/** A recorded run as the curves need it. */
struct RecordedRun
{
    QString directory;
    core::MetricsHistory history;
    std::optional<core::ExperimentConfig> config;
};

/** The mean and sample std of the runs' losses at each step all of them recorded (same steps, shortest run). */
widgets::CurveSeries seedBand(const std::vector<const RecordedRun*>& runs, const std::function<double(double)>& x)
{
    widgets::CurveSeries band;
    size_t length = runs.front()->history.steps.size();
    for (const RecordedRun* run : runs) {
        length = std::min(length, run->history.steps.size());
    }
    for (size_t i = 0; i < length; ++i) {
        const long long step = runs.front()->history.steps[i].step;
        double sum = 0, squares = 0;
        bool aligned = true;
        for (const RecordedRun* run : runs) {
            aligned = aligned && run->history.steps[i].step == step;
            sum += run->history.steps[i].loss;
        }
        if (!aligned) {
            break; // recorded at other steps (another step_every): the band ends where they part
        }
        const double mean = sum / double(runs.size());
        for (const RecordedRun* run : runs) {
            squares += (run->history.steps[i].loss - mean) * (run->history.steps[i].loss - mean);
        }
        band.steps.append(x(double(step)));
        band.losses.append(mean);
        band.spread.append(std::sqrt(squares / double(runs.size() - 1)));
    }
    return band;
}

} // namespace

QString TrainPage::showRecordedRuns(const QStringList& directories)
{
    clearPlots();
    m_live = false;
    m_shownRuns = directories;
    QString message;
    std::vector<RecordedRun> runs;
    for (const QString& directory : directories) {
        const core::RunPaths paths{directory.toStdString()};
        RecordedRun run{directory, {}, std::nullopt};
        try {
            run.history = core::readMetricsFile(paths.metrics(), core::MetricsReadOptions{kRecordedStepsShown});
        } catch (const core::TauError& error) {
            message = QString::fromStdString(error.what());
            continue;
        }
        try {
            run.config = core::loadConfigFile(paths.config());
        } catch (const core::TauError&) {
            run.config.reset(); // shown by step, never grouped
        }
        runs.push_back(std::move(run));
    }
    const auto scaleOf = [](const RecordedRun& run) {
        Scale scale;
        scale.batchSize = run.config ? run.config->optimizer.batchSize : 0;
        if (!run.history.epochs.empty() && run.history.epochs.front().epoch > 0) {
            scale.stepsPerEpoch = double(run.history.epochs.front().step) / run.history.epochs.front().epoch;
        }
        return scale;
    };
    if (!runs.empty()) {
        const RecordedRun& first = runs.front();
        m_globalTemperature = first.config ? first.config->loss.t : core::LossConfig{}.t;
        const Scale scale = scaleOf(first);
        for (const core::StepRecord& step : first.history.steps) {
            plotStep(step, scale);
        }
        for (const core::EpochRecord& epoch : first.history.epochs) {
            plotEpoch(epoch, scale);
        }
        message = first.history.worldSize > 1 ? tr("Showing %1 (trained data-parallel by %2 processes)")
                                                    .arg(first.directory)
                                                    .arg(first.history.worldSize)
                                              : tr("Showing %1").arg(first.directory);
        if (first.history.stepStride > 1) {
            message += tr(" · 1 step in %1 shown, of %2").arg(first.history.stepStride).arg(first.history.stepRecordsInFile);
        }
        if (!first.history.warnings.empty()) {
            message += tr(" · %n unreadable line(s) of metrics.jsonl skipped", nullptr, int(first.history.warnings.size()));
        }
    }
    // Overlays: every run but the first, or with Group seeds the groups of runs alike but for the seed (the first
    // run's group included) as one band each.
    std::vector<std::pair<std::string, std::vector<const RecordedRun*>>> groups;
    for (size_t i = 0; i < runs.size(); ++i) {
        const std::string key = m_groupSeeds && runs[i].config ? core::seedlessConfigKey(*runs[i].config)
                                                               : "run:" + runs[i].directory.toStdString();
        auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
        if (group == groups.end()) {
            groups.push_back({key, {}});
            group = groups.end() - 1;
        }
        group->second.push_back(&runs[i]);
    }
    QVector<widgets::CurveSeries> overlays;
    int bands = 0;
    for (const auto& [key, members] : groups) {
        const Scale scale = scaleOf(*members.front());
        const auto x = [this, scale](double step) { return xOf(step, scale); };
        if (members.size() > 1) {
            widgets::CurveSeries band = seedBand(members, x);
            band.name = tr("%1 … (mean ± std of %2 seeds)").arg(QFileInfo(members.front()->directory).fileName()).arg(members.size());
            overlays.append(band);
            ++bands;
            continue;
        }
        if (members.front() == &runs.front()) {
            continue; // the first run is drawn in full already
        }
        widgets::CurveSeries series;
        series.name = QFileInfo(members.front()->directory).fileName();
        for (const core::StepRecord& step : members.front()->history.steps) {
            series.steps.append(x(double(step.step)));
            series.losses.append(step.loss);
        }
        overlays.append(series);
    }
    if (bands > 0) {
        message += tr(" · %n group(s) of seeds as mean ± std", nullptr, bands);
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
