#include "app/pages/train_page.h"

#include "app/bridge/core_values.h"
#include "app/bridge/recorded_series.h"
#include "app/config/config_editor.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/metrics_reader.h"
#include "core/io/run_directory.h"
#include "widgets/export/figure_export.h"
#include "widgets/plots/distribution_plot.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/run_comparison_plot.h"
#include "widgets/plots/scalar_plot.h"
#include "widgets/plots/training_curve_plot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
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
    plots->setSizes({400, 400}); // halves: not by the plots' first size hints, taken before legends fit their width

    auto* main = new QSplitter(Qt::Horizontal);
    main->addWidget(m_editor);
    main->addWidget(plots);
    main->setStretchFactor(0, 0);
    main->setStretchFactor(1, 1);
    main->setSizes({400, 880}); // wide enough for the config's comments
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(main);
    for (const FigureEntry& figure : figures()) {
        figure.plot->installEventFilter(this); // a click marks the plot Export starts at
    }
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
    axis->addItems({tr("step"), tr("epoch"), tr("images seen"), tr("wall time")});
    axis->setToolTip(tr("What the x-axis counts: runs of other batch sizes line up by epoch or by images seen; "
                        "wall time is minutes since the run's first record"));
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
    m_rawPlot->setFitBinsToData(true); // r has no natural range: its bins span what each epoch holds
    m_rawPlot->setObjectName(QStringLiteral("rawPlot"));
    // tau = t / c from the c histograms: exact for the percentiles; each c bin spread over its tau interval and
    // gathered into equal tau bins that span the data (unequal mapped bins would draw a misleading staircase).
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
    m_comparisonPlot = new widgets::RunComparisonPlot;
    m_comparisonPlot->setObjectName(QStringLiteral("comparisonPlot"));
    distributions->addTab(m_comparisonPlot, tr("Compare runs"));
    connect(distributions, &QTabWidget::currentChanged, this, [this, distributions](int index) {
        QWidget* shown = distributions->widget(index);
        if (auto* distribution = qobject_cast<widgets::DistributionPlot*>(shown)) {
            m_chosenPlot = distribution->histogramPlot();
        } else {
            m_chosenPlot = shown == m_scalarPlot ? m_scalarPlot->plot() : m_comparisonPlot->plot();
        }
    });
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
    m_comparisonPlot->clear();
}

void TrainPage::beginRun(double t, int batchSize)
{
    clearPlots();
    m_globalTemperature = t;
    m_curves->setOverlays({});
    m_live = true;
    m_liveSteps.clear();
    m_liveEpochs.clear();
    m_liveScale = {double(batchSize), 0.0, 0.0};
}

double TrainPage::xOf(long long step, double wallTime, const Scale& scale) const
{
    switch (m_xAxis) {
    case XAxis::Epoch: return scale.stepsPerEpoch > 0 ? double(step) / scale.stepsPerEpoch : double(step);
    case XAxis::Images: return scale.batchSize > 0 ? double(step) * scale.batchSize : double(step);
    case XAxis::WallTime:
        return wallTime > 0 && scale.startWallTime > 0 ? (wallTime - scale.startWallTime) / 60.0 : std::nan("");
    case XAxis::Step: break;
    }
    return double(step);
}

void TrainPage::setXAxis(XAxis axis)
{
    m_xAxis = axis;
    const QString labels[] = {tr("step"), tr("epoch"), tr("images seen"), tr("wall time (minutes)")};
    const bool wholeNumbers = axis != XAxis::WallTime; // minutes come in fractions; steps and epochs do not
    m_curves->setXLabel(labels[int(axis)], wholeNumbers);
    m_scalarPlot->setXLabel(labels[int(axis)], wholeNumbers);
    m_comparisonPlot->setXLabel(labels[int(axis)], wholeNumbers);
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
        drawRecordedRuns(); // from the histories read when the runs were chosen, not from the files again
        return;
    }
    m_curves->clear();
    m_scalarPlot->clear();
    for (const core::StepRecord& step : m_liveSteps) {
        plotStep(step, m_liveScale);
    }
    for (const core::EpochRecord& epoch : m_liveEpochs) {
        if (const double x = xOf(epoch.step, epoch.wallTime, m_liveScale); std::isfinite(x)) {
            m_curves->addEpoch(x, epoch.loss);
        }
        plotScalars(epoch.scalars, xOf(epoch.step, epoch.wallTime, m_liveScale));
    }
}

void TrainPage::addStep(const core::StepRecord& record)
{
    m_liveSteps.push_back(record);
    if (record.stepsPerEpoch > 0) {
        m_liveScale.stepsPerEpoch = record.stepsPerEpoch;
    }
    if (m_liveScale.startWallTime <= 0) {
        m_liveScale.startWallTime = record.wallTime;
    }
    plotStep(record, m_liveScale);
}

void TrainPage::plotScalars(const std::map<std::string, double>& scalars, double x)
{
    if (!std::isfinite(x)) {
        return;
    }
    for (const auto& [name, value] : scalars) {
        m_scalarPlot->addPoint(QString::fromStdString(name), x, value);
    }
}

void TrainPage::plotStep(const core::StepRecord& record, const Scale& scale)
{
    const double x = xOf(record.step, record.wallTime, scale);
    if (std::isfinite(x)) {
        m_curves->addStep(x, record.loss, record.learningRate);
    }
    plotScalars(record.scalars, x);
}

void TrainPage::addEpoch(const core::EpochRecord& record)
{
    m_liveEpochs.push_back(record);
    plotEpoch(record, m_liveScale);
}

void TrainPage::plotEpoch(const core::EpochRecord& record, const Scale& scale)
{
    const double x = xOf(record.step, record.wallTime, scale);
    if (std::isfinite(x)) {
        m_curves->addEpoch(x, record.loss);
    }
    plotScalars(record.scalars, x);
    if (record.hasTemperature) {
        m_certaintyPlot->addEpoch(toWidgetHistogram(record.epoch, record.certaintyHistogram, record.certaintyPercentiles));
        if (record.hasOutliers) {
            m_certaintyPlot->addComparison(toWidgetHistogram(record.epoch, record.outlierCertaintyHistogram,
                                                             record.outlierCertaintyPercentiles),
                                           tr("synthetic outliers"));
        }
        m_rawPlot->addEpoch(toWidgetHistogram(record.epoch, record.rawHistogram, record.rawPercentiles));
        m_temperaturePlot->addEpoch(toWidgetHistogram(record.epoch, record.certaintyHistogram, record.certaintyPercentiles));
    }
}

/** A recorded run as the curves need it. */
struct TrainPage::RecordedRun
{
    QString directory;
    core::MetricsHistory history;
    std::optional<core::ExperimentConfig> config;
    std::vector<NamedSeries> series;

    const std::vector<SeriesPoint>* find(const QString& name) const
    {
        for (const NamedSeries& s : series) {
            if (s.name == name) {
                return &s.points;
            }
        }
        return nullptr;
    }
};

namespace {

using RecordedRun = TrainPage::RecordedRun;

/** Runs in groups: alike but for the seed (when grouping), else one run each; in the order of their first run. */
std::vector<std::vector<const RecordedRun*>> groupRuns(const std::vector<RecordedRun>& runs, bool bySeed)
{
    std::vector<std::pair<std::string, std::vector<const RecordedRun*>>> groups;
    for (const RecordedRun& run : runs) {
        const std::string key = bySeed && run.config ? core::seedlessConfigKey(*run.config)
                                                     : "run:" + run.directory.toStdString();
        auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
        if (group == groups.end()) {
            groups.push_back({key, {}});
            group = groups.end() - 1;
        }
        group->second.push_back(&run);
    }
    std::vector<std::vector<const RecordedRun*>> members;
    for (auto& [key, group] : groups) {
        members.push_back(std::move(group));
    }
    return members;
}

QString groupName(const std::vector<const RecordedRun*>& group)
{
    const QString first = QFileInfo(group.front()->directory).fileName();
    return group.size() > 1 ? TrainPage::tr("%1 … (mean ± std of %2 seeds)").arg(first).arg(group.size()) : first;
}

/** The names of every series the runs recorded, in the order the first run holding each has them. */
QStringList seriesNames(const std::vector<RecordedRun>& runs)
{
    QStringList names;
    for (const RecordedRun& run : runs) {
        for (const NamedSeries& s : run.series) {
            if (!names.contains(s.name)) {
                names << s.name;
            }
        }
    }
    return names;
}

} // namespace

TrainPage::Scale TrainPage::scaleOf(const core::MetricsHistory& history, int batchSize)
{
    Scale scale;
    scale.batchSize = batchSize;
    if (!history.epochs.empty() && history.epochs.front().epoch > 0) {
        scale.stepsPerEpoch = double(history.epochs.front().step) / history.epochs.front().epoch;
    }
    const double firstStep = history.steps.empty() ? 0 : history.steps.front().wallTime;
    const double firstEpoch = history.epochs.empty() ? 0 : history.epochs.front().wallTime;
    scale.startWallTime = firstStep > 0 && (firstEpoch <= 0 || firstStep < firstEpoch) ? firstStep : firstEpoch;
    return scale;
}

TrainPage::~TrainPage() = default;

QString TrainPage::showRecordedRuns(const QStringList& directories)
{
    m_live = false;
    m_recorded.clear();
    QString unreadable;
    for (const QString& directory : directories) {
        const core::RunPaths paths{directory.toStdString()};
        RecordedRun run{directory, {}, std::nullopt, {}};
        try {
            run.history = core::readMetricsFile(paths.metrics(), core::MetricsReadOptions{kRecordedStepsShown});
        } catch (const core::TauError& error) {
            unreadable = QString::fromStdString(error.what());
            continue;
        }
        try {
            run.config = core::loadConfigFile(paths.config());
        } catch (const core::TauError&) {
            run.config.reset(); // shown by step, never grouped
        }
        run.series = recordedSeries(run.history);
        m_recorded.push_back(std::move(run));
    }
    const QString shown = drawRecordedRuns();
    return shown.isEmpty() ? unreadable : shown;
}

QString TrainPage::drawRecordedRuns()
{
    clearPlots();
    const std::vector<RecordedRun>& runs = m_recorded;
    QString message;
    const auto scaleOfRun = [](const RecordedRun& run) {
        return scaleOf(run.history, run.config ? run.config->optimizer.batchSize : 0);
    };
    if (!runs.empty()) {
        const RecordedRun& first = runs.front();
        m_globalTemperature = first.config ? first.config->loss.t : core::LossConfig{}.t;
        const Scale scale = scaleOfRun(first);
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
    // run's group included) as one band each. The Compare runs tab shows every group, for any series.
    const std::vector<std::vector<const RecordedRun*>> groups = groupRuns(runs, m_groupSeeds);
    const auto curveOfGroup = [this, &scaleOfRun](const std::vector<const RecordedRun*>& group, const QString& series) {
        const Scale scale = scaleOfRun(*group.front());
        const XOfPoint x = [this, scale](const SeriesPoint& point) { return xOf(point.step, point.wallTime, scale); };
        std::vector<const std::vector<SeriesPoint>*> members;
        for (const RecordedRun* run : group) {
            if (const auto* points = run->find(series)) {
                members.push_back(points);
            }
        }
        if (members.empty()) {
            return widgets::CurveSeries{};
        }
        return members.size() > 1 ? seedBand(groupName(group), members, x) : curveOf(groupName(group), *members.front(), x);
    };
    QVector<widgets::CurveSeries> overlays;
    int bands = 0;
    for (size_t g = 0; g < groups.size(); ++g) {
        const auto& group = groups[g];
        if (group.size() == 1 && group.front() == &runs.front()) {
            continue; // the first run is drawn in full already
        }
        overlays.append(curveOfGroup(group, QStringLiteral("loss (step)")));
        overlays.back().style = int(g); // its row in Compare runs, which lists every group
        bands += group.size() > 1 ? 1 : 0;
    }
    if (bands > 0) {
        message += tr(" · %n group(s) of seeds as mean ± std", nullptr, bands);
    }
    m_curves->setOverlays(overlays);
    QVector<widgets::ComparedSeries> compared;
    for (const QString& name : seriesNames(runs)) {
        widgets::ComparedSeries series{name, {}};
        for (const auto& group : groups) {
            series.curves.append(curveOfGroup(group, name));
        }
        compared.append(series);
    }
    m_comparisonPlot->setSeries(compared);
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
    figures.append({tr("Runs compared"), m_comparisonPlot->plot(), {}});
    for (FigureEntry& figure : figures) {
        figure.csv = [plot = figure.plot] { return widgets::plotDataCsv(plot); };
    }
    return figures;
}

int TrainPage::currentFigureIndex() const
{
    const QVector<FigureEntry> all = figures();
    for (int i = 0; i < all.size(); ++i) {
        if (all[i].plot == m_chosenPlot) {
            return i;
        }
    }
    return 0;
}

bool TrainPage::eventFilter(QObject* watched, QEvent* event)
{
    if (event->type() == QEvent::MouseButtonPress) {
        m_chosenPlot = watched;
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace tau::app
