#include "app/mainwindow/analysis_panel.h"

#include "app/bridge/core_values.h"
#include "app/workers/analysis_worker.h"
#include "core/config/config_loader.h"
#include "core/evaluation/embedding.h"
#include "core/evaluation/image_scan.h"
#include "core/methods/score_catalog.h"
#include "core/methods/system_catalog.h"
#include "core/io/metrics_reader.h"
#include "widgets/browser/certainty_browser.h"
#include "widgets/plots/embedding_plot.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/roc_plot.h"
#include "widgets/plots/score_histogram_plot.h"
#include "widgets/tables/metrics_table_model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace tau::app {

namespace {

constexpr int kProgressResolution = 1000;
constexpr int kEmbeddingIdPoints = 5000;  // enough to see structure; t-SNE of them takes well under a minute
constexpr int kEmbeddingOodPoints = 1000; // per OOD set
const QString kOodEvaluationName = QStringLiteral("explorer"); // RUN_DIR/eval/explorer, rewritten by each run

/** At most @p count image indices of @p total, a seeded choice kept in index order. */
std::vector<int> seededChoice(int total, int count)
{
    std::vector<int> indices(size_t(std::max(total, 0)));
    std::iota(indices.begin(), indices.end(), 0);
    if (total > count) {
        std::mt19937 generator(1337);
        std::shuffle(indices.begin(), indices.end(), generator);
        indices.resize(size_t(count));
        std::sort(indices.begin(), indices.end());
    }
    return indices;
}

/** Why a run's images are not ranked, naming the methods that would rank them (from the method catalogue). */
QString noTemperatureNote(const core::ScannedImages& scan)
{
    QStringList methods;
    for (const core::SystemInfo& system : core::systemCatalog()) {
        if (system.learnsTemperature) {
            methods << QString::fromStdString(system.title);
        }
    }
    return AnalysisPanel::tr("This run (%1) learns no temperature, so its images have no certainty c: they are shown "
                             "in dataset order. Open a run of %2 to rank them.")
        .arg(QString::fromStdString(scan.systemTitle), methods.join(QStringLiteral(", ")));
}

QListWidgetItem* addCheckable(QListWidget* list, const QString& text, bool checked, const QString& data = {})
{
    auto* item = new QListWidgetItem(text, list);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    item->setData(Qt::UserRole, data.isEmpty() ? text : data);
    return item;
}

} // namespace

AnalysisPanel::AnalysisPanel(QWidget* parent) : QWidget(parent), m_worker(new AnalysisWorker)
{
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &AnalysisWorker::progress, this, &AnalysisPanel::onProgress);
    connect(m_worker, &AnalysisWorker::scanned, this, &AnalysisPanel::onScanned);
    connect(m_worker, &AnalysisWorker::projected, this, &AnalysisPanel::onProjected);
    connect(m_worker, &AnalysisWorker::evaluated, this, &AnalysisPanel::onEvaluated);
    connect(m_worker, &AnalysisWorker::failed, this, &AnalysisPanel::onFailed);
    m_thread.setObjectName(QStringLiteral("analysis"));
    m_thread.start();

    m_browser = new widgets::CertaintyBrowser;
    m_browser->setObjectName(QStringLiteral("certaintyBrowser"));
    connect(m_browser, &widgets::CertaintyBrowser::datasetRequested, this, &AnalysisPanel::showSet);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("analysisTabs"));
    m_tabs->addTab(m_browser, tr("Certainty"));
    m_tabs->addTab(buildEmbeddingTab(), tr("Embedding"));
    m_tabs->addTab(buildOodTab(), tr("OOD detection"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(buildHeader());
    layout->addWidget(m_tabs, 1);
    setBusy(false);
    setEnabledForRun(false);
}

AnalysisPanel::~AnalysisPanel()
{
    m_worker->stop();
    m_thread.quit();
    m_thread.wait();
}

QWidget* AnalysisPanel::buildHeader()
{
    auto* header = new QWidget;
    auto* row = new QHBoxLayout(header);
    row->setContentsMargins(0, 0, 0, 0);
    m_runLabel = new QLabel(tr("No run open. Open a checkpoint (File → Open Checkpoint…), drop a .pt or run folder "
                               "here, or double-click a run in the Runs panel."));
    m_runLabel->setObjectName(QStringLiteral("analysisRun"));
    m_runLabel->setWordWrap(true);
    m_progress = new QProgressBar;
    m_progress->setRange(0, kProgressResolution);
    m_progress->setMaximumWidth(160);
    m_eta = new QLabel;
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("analysisCancel"));
    connect(m_cancel, &QPushButton::clicked, this, &AnalysisPanel::cancel);
    row->addWidget(m_runLabel, 1);
    row->addWidget(m_progress);
    row->addWidget(m_eta);
    row->addWidget(m_cancel);
    return header;
}

QWidget* AnalysisPanel::buildEmbeddingTab()
{
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    auto* controls = new QHBoxLayout;
    m_projection = new QComboBox;
    m_projection->setObjectName(QStringLiteral("projection"));
    m_projection->addItems({tr("PCA"), tr("t-SNE")});
    m_projection->setItemData(1, false, Qt::UserRole - 1); // enabled once computed
    m_tsneButton = new QPushButton(tr("Compute t-SNE"));
    m_tsneButton->setObjectName(QStringLiteral("computeTsne"));
    m_tsneButton->setToolTip(tr("Barnes-Hut t-SNE of the shown points, in the background (a minute or two for 5,000 points on 2 cores)"));
    m_colouring = new QComboBox;
    m_colouring->setObjectName(QStringLiteral("colouring"));
    m_colouring->addItems({tr("Colour by certainty c"), tr("Colour by class")});
    m_clampLow = new QDoubleSpinBox;
    m_clampHigh = new QDoubleSpinBox;
    for (QDoubleSpinBox* box : {m_clampLow, m_clampHigh}) {
        box->setRange(0, 100);
        box->setDecimals(1);
        box->setSuffix(tr("th pct"));
    }
    m_clampLow->setValue(2);
    m_clampHigh->setValue(98);
    m_clampLow->setToolTip(tr("Colours saturate below this percentile of c"));
    m_clampHigh->setToolTip(tr("Colours saturate above this percentile of c"));
    m_addSet = new QComboBox;
    m_addSet->setObjectName(QStringLiteral("embeddingAddSet"));
    m_addSet->setToolTip(tr("Score an OOD set and show it with its own marker"));
    controls->addWidget(m_projection);
    controls->addWidget(m_tsneButton);
    controls->addWidget(m_colouring);
    controls->addWidget(new QLabel(tr("Clamp")));
    controls->addWidget(m_clampLow);
    controls->addWidget(m_clampHigh);
    controls->addWidget(m_addSet);
    controls->addStretch(1);
    m_embedding = new widgets::EmbeddingPlot;
    m_embedding->setObjectName(QStringLiteral("embeddingPlot"));
    layout->addLayout(controls);
    layout->addWidget(m_embedding, 1);

    connect(m_tsneButton, &QPushButton::clicked, this, &AnalysisPanel::computeTsne);
    connect(m_projection, &QComboBox::currentIndexChanged, this, [this] { refreshEmbedding(); });
    connect(m_colouring, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_embedding->setColouring(index == 0 ? widgets::EmbeddingPlot::Colouring::Certainty
                                             : widgets::EmbeddingPlot::Colouring::Class);
    });
    const auto clamp = [this] { m_embedding->setClampPercentiles(m_clampLow->value(), m_clampHigh->value()); };
    connect(m_clampLow, &QDoubleSpinBox::valueChanged, this, clamp);
    connect(m_clampHigh, &QDoubleSpinBox::valueChanged, this, clamp);
    connect(m_addSet, &QComboBox::activated, this, [this](int index) {
        if (index > 0) {
            showSet(m_addSet->itemText(index));
        }
        m_addSet->setCurrentIndex(0);
    });
    connect(m_embedding, &widgets::EmbeddingPlot::pointClicked, this, [this](int set, int image) {
        if (set < 0 || set >= m_embeddingSets.size()) {
            return;
        }
        if (m_browser->imageSet() != m_embeddingSets[set]) {
            m_browser->setImageSet(m_embeddingSets[set]);
        }
        m_browser->selectImage(image);
        m_tabs->setCurrentWidget(m_browser);
    });
    return page;
}

QWidget* AnalysisPanel::buildOodTab()
{
    auto* controls = new QWidget;
    auto* form = new QVBoxLayout(controls);
    m_oodSets = new QListWidget;
    m_oodSets->setObjectName(QStringLiteral("oodSets"));
    m_scores = new QListWidget;
    m_scores->setObjectName(QStringLiteral("oodScores"));
    m_compareRuns = new QListWidget;
    m_compareRuns->setObjectName(QStringLiteral("compareRuns"));
    m_compareRuns->setToolTip(tr("Evaluate these runs on the same sets too; each gets the checked scores it can give"));
    m_bootstrap = new QSpinBox;
    m_bootstrap->setRange(0, 5000);
    m_bootstrap->setSingleStep(100);
    m_bootstrap->setSpecialValueText(tr("none"));
    m_bootstrap->setToolTip(tr("Bootstrap resamplings for 95% intervals"));
    m_limit = new QSpinBox;
    m_limit->setRange(0, 10'000'000);
    m_limit->setSingleStep(1000);
    m_limit->setSpecialValueText(tr("all"));
    m_limit->setToolTip(tr("At most this many images per set (a seeded choice)"));
    m_runOod = new QPushButton(tr("Evaluate"));
    m_runOod->setObjectName(QStringLiteral("runOod"));
    connect(m_runOod, &QPushButton::clicked, this, &AnalysisPanel::runOod);
    form->addWidget(new QLabel(tr("OOD sets")));
    form->addWidget(m_oodSets, 2);
    form->addWidget(new QLabel(tr("Scores")));
    form->addWidget(m_scores, 2);
    form->addWidget(new QLabel(tr("Compare with runs")));
    form->addWidget(m_compareRuns, 2);
    auto* numbers = new QFormLayout;
    numbers->addRow(tr("Intervals"), m_bootstrap);
    numbers->addRow(tr("Images per set"), m_limit);
    form->addLayout(numbers);
    form->addWidget(m_runOod);
    controls->setMaximumWidth(260);

    m_roc = new widgets::RocPlot;
    m_roc->setObjectName(QStringLiteral("oodRoc"));
    m_logFpr = new QCheckBox(tr("Logarithmic FPR"));
    m_logFpr->setObjectName(QStringLiteral("logFpr"));
    connect(m_logFpr, &QCheckBox::toggled, m_roc, &widgets::RocPlot::setLogarithmicFpr);
    auto* rocPage = new QWidget;
    auto* rocLayout = new QVBoxLayout(rocPage);
    rocLayout->addWidget(m_logFpr);
    rocLayout->addWidget(m_roc, 1);

    m_histograms = new widgets::ScoreHistogramPlot;
    m_histograms->setObjectName(QStringLiteral("scoreHistograms"));
    m_histogramScore = new QComboBox;
    m_histogramScore->setObjectName(QStringLiteral("histogramScore"));
    connect(m_histogramScore, &QComboBox::currentTextChanged, this, &AnalysisPanel::showHistogramOf);
    auto* histogramPage = new QWidget;
    auto* histogramLayout = new QVBoxLayout(histogramPage);
    auto* histogramControls = new QHBoxLayout;
    histogramControls->addWidget(new QLabel(tr("Score")));
    histogramControls->addWidget(m_histogramScore);
    histogramControls->addStretch(1);
    histogramLayout->addLayout(histogramControls);
    histogramLayout->addWidget(m_histograms, 1);

    m_metrics = new widgets::MetricsTableModel(this);
    auto* sorted = new QSortFilterProxyModel(this);
    sorted->setSourceModel(m_metrics);
    sorted->setSortRole(Qt::UserRole);
    m_metricsView = new QTableView;
    m_metricsView->setObjectName(QStringLiteral("metricsTable"));
    m_metricsView->setModel(sorted);
    m_metricsView->setSortingEnabled(true);
    m_metricsView->verticalHeader()->hide();
    m_metricsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    m_oodResults = new QTabWidget;
    m_oodResults->setObjectName(QStringLiteral("oodResults"));
    m_oodResults->addTab(rocPage, tr("ROC curves"));
    m_oodResults->addTab(histogramPage, tr("Score histograms"));
    m_oodResults->addTab(m_metricsView, tr("Metrics"));
    m_roc->setPanels({}); // no axes until there is something to show
    m_oodWarnings = new QLabel;
    m_oodWarnings->setObjectName(QStringLiteral("oodWarnings"));
    m_oodWarnings->setWordWrap(true);
    m_oodWarnings->setStyleSheet(QStringLiteral("QLabel { color: #7a4d00; }"));
    m_oodWarnings->hide();
    auto* results = new QWidget;
    auto* resultsLayout = new QVBoxLayout(results);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    m_oodHint = new QLabel(tr("Check the OOD sets and scores to compare (and other runs, if you like), then "
                              "Evaluate. Each run's results are written to RUN_DIR/eval/%1/.").arg(kOodEvaluationName));
    m_oodHint->setWordWrap(true);
    resultsLayout->addWidget(m_oodHint);
    resultsLayout->addWidget(m_oodWarnings);
    resultsLayout->addWidget(m_oodResults, 1);

    auto* splitter = new QSplitter;
    splitter->addWidget(controls);
    splitter->addWidget(results);
    splitter->setStretchFactor(1, 1);
    return splitter;
}

void AnalysisPanel::setEnabledForRun(bool open)
{
    m_tabs->setEnabled(open);
}

void AnalysisPanel::setRunsRoot(const QString& root)
{
    m_runsRoot = root;
}

void AnalysisPanel::setBusy(bool busy, const QString& what)
{
    m_busy = busy;
    m_cancel->setEnabled(busy);
    m_progress->setVisible(busy);
    m_eta->setVisible(busy);
    m_runOod->setEnabled(!busy);
    m_tsneButton->setEnabled(!busy);
    if (busy) {
        m_progress->setValue(0);
        m_stage = what;
        m_eta->setText(what);
    }
}

void AnalysisPanel::cancel()
{
    m_worker->stop();
}

bool AnalysisPanel::openCheckpoint(const QString& location)
{
    if (m_busy) {
        Q_EMIT statusMessage(tr("Busy: wait for the current job or cancel it"));
        return false;
    }
    m_checkpoint = QFileInfo(location).absoluteFilePath();
    m_scans.clear();
    m_thumbnails.clear();
    m_setOrder.clear();
    m_evaluations.clear();
    m_runLabel->setText(tr("Opening %1…").arg(QDir::toNativeSeparators(location)));
    startScan({}, tr("Scoring the test set"));
    return true;
}

void AnalysisPanel::startScan(const QString& dataset, const QString& stage)
{
    core::ImageScanOptions options;
    options.checkpoint = m_checkpoint.toStdString();
    options.dataset = dataset.toStdString();
    setBusy(true, stage);
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, options] { worker->scan(options); }, Qt::QueuedConnection);
}

bool AnalysisPanel::showSet(const QString& name)
{
    if (m_scans.contains(name)) {
        m_browser->setImageSet(m_thumbnails.value(name));
        return true;
    }
    if (m_busy || m_checkpoint.isEmpty()) {
        Q_EMIT statusMessage(m_busy ? tr("Busy: wait for the current job or cancel it") : tr("Open a checkpoint first"));
        return false;
    }
    startScan(name == m_inDataset ? QString() : name, tr("Scoring %1").arg(name));
    return true;
}

void AnalysisPanel::onProgress(const QString& stage, qint64 done, qint64 total, double etaSeconds)
{
    if (total > 0) {
        m_progress->setValue(int(kProgressResolution * done / total));
    }
    m_eta->setText(m_stage + QStringLiteral(" · ETA ") + formatEta(etaSeconds));
    m_progress->setToolTip(QStringLiteral("%1: %2 / %3").arg(stage).arg(done).arg(total));
}

void AnalysisPanel::onScanned(const std::shared_ptr<const core::ScannedImages>& scan)
{
    setBusy(false);
    const QString name = QString::fromStdString(scan->dataset);
    const bool firstScan = m_scans.isEmpty();
    m_scans[name] = scan;
    m_thumbnails[name] = toThumbnails(*scan);
    if (!m_setOrder.contains(name)) {
        m_setOrder << name;
    }
    if (firstScan) {
        m_runDirectory = QString::fromStdString(scan->runDirectory);
        m_inDataset = QString::fromStdString(scan->inDataset);
        const QString system = QString::fromStdString(scan->system);
        m_runLabel->setText(tr("<b>%1</b> · %2 · trained on %3 · %4 test images · checkpoint %5")
                                .arg(QFileInfo(m_runDirectory).fileName(), system, m_inDataset)
                                .arg(scan->count)
                                .arg(QFileInfo(QString::fromStdString(scan->checkpointFile)).fileName()));
        QStringList choices{m_inDataset};
        const QString heldOut = QString::fromStdString(scan->heldOutSet);
        if (!heldOut.isEmpty()) {
            choices << heldOut; // the run trained on some classes: the others are the nearest OOD set there is
        }
        for (const std::string& set : scan->oodChoices) {
            choices << QString::fromStdString(set);
        }
        m_browser->setDatasetChoices(choices, m_inDataset);
        m_browser->setNoScoresNote(noTemperatureNote(*scan));
        m_addSet->clear();
        m_addSet->addItem(tr("Add an OOD set…"));
        m_addSet->addItems(choices.mid(1));
        setEnabledForRun(true); // first: plots take their colours from the enabled palette
        fillOodControls(*scan);
        showEarlierEvaluation();
        m_projection->setCurrentIndex(0);
        Q_EMIT checkpointOpened(m_runDirectory);
    }
    m_browser->setImageSet(m_thumbnails[name]);
    refreshEmbedding();
    Q_EMIT statusMessage(tr("Scored %1 images of %2").arg(scan->count).arg(name));
    Q_EMIT setScanned(name);
}

void AnalysisPanel::fillOodControls(const core::ScannedImages& scan)
{
    m_oodSets->clear();
    const QStringList usual = {QStringLiteral("mnist"), QStringLiteral("gaussian_noise"), QStringLiteral("inverted"),
                               QStringLiteral("svhn"), QStringLiteral("cifar100")};
    for (int i = 1; i < m_addSet->count(); ++i) {
        const QString name = m_addSet->itemText(i);
        addCheckable(m_oodSets, name, usual.contains(name) || name.contains(QLatin1Char('@')));
    }
    m_scores->clear();
    // Every score some single run can give (a compared run may fit those this one does not); this run's own
    // defaults are checked.
    for (const std::string& score : core::singleModelScores()) {
        const bool checked = std::find(scan.defaultScores.begin(), scan.defaultScores.end(), score) != scan.defaultScores.end();
        addCheckable(m_scores, QString::fromStdString(score), checked);
    }
    m_compareRuns->clear();
    // A directory listing only: the Runs panel already reads every run's metrics.
    for (const std::string& run : core::listRunDirectories(m_runsRoot.toStdString())) {
        const QString directory = QString::fromStdString(run);
        if (QDir(directory).canonicalPath() != QDir(m_runDirectory).canonicalPath() &&
            QFileInfo::exists(directory + QStringLiteral("/checkpoints/last.pt"))) {
            addCheckable(m_compareRuns, QFileInfo(directory).fileName(), false, directory);
        }
    }
}

void AnalysisPanel::setOodChoices(const QStringList& sets, const QStringList& scores, int bootstrap, qint64 limit)
{
    for (int i = 0; i < m_oodSets->count(); ++i) {
        m_oodSets->item(i)->setCheckState(sets.contains(m_oodSets->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    }
    for (int i = 0; i < m_scores->count(); ++i) {
        m_scores->item(i)->setCheckState(scores.contains(m_scores->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    }
    m_bootstrap->setValue(bootstrap);
    m_limit->setValue(int(limit));
}

QStringList AnalysisPanel::checkedItems(const QListWidget* list) const
{
    QStringList checked;
    for (int i = 0; i < list->count(); ++i) {
        if (list->item(i)->checkState() == Qt::Checked) {
            checked << list->item(i)->data(Qt::UserRole).toString();
        }
    }
    return checked;
}

bool AnalysisPanel::runOod()
{
    const QStringList sets = checkedItems(m_oodSets);
    const QStringList scores = checkedItems(m_scores);
    if (m_busy || m_runDirectory.isEmpty() || sets.isEmpty() || scores.isEmpty()) {
        Q_EMIT statusMessage(m_busy ? tr("Busy: wait for the current job or cancel it")
                                    : tr("Open a run and check at least one OOD set and one score"));
        return false;
    }
    QVector<core::OodEvaluationOptions> runs;
    for (const QString& directory : QStringList{m_runDirectory} + checkedItems(m_compareRuns)) {
        core::OodEvaluationOptions options;
        options.checkpoint = directory.toStdString();
        options.inDataset = m_inDataset.toStdString();
        for (const QString& set : sets) {
            options.outDatasets.push_back(set.toStdString());
        }
        options.scores.clear();
        for (const QString& score : scores) {
            options.scores.push_back(score.toStdString());
        }
        options.skipUnfitScores = true; // each run gives those of the checked scores its method can give
        options.bootstrap = m_bootstrap->value();
        options.limit = m_limit->value();
        options.name = kOodEvaluationName.toStdString();
        runs.push_back(options);
    }
    m_oodWarnings->clear();
    m_oodWarnings->hide();
    setBusy(true, tr("OOD evaluation"));
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, runs] { worker->evaluate(runs); }, Qt::QueuedConnection);
    return true;
}

void AnalysisPanel::onEvaluated(const QStringList& folders, const QStringList& warnings)
{
    setBusy(false);
    m_evaluations.clear();
    QStringList problems = warnings;
    for (const QString& folder : folders) {
        EvaluationFolder evaluation;
        const QString error = readEvaluationFolder(folder, evaluation);
        if (!error.isEmpty()) {
            problems << error;
            continue;
        }
        m_evaluations.append(evaluation);
    }
    if (!problems.isEmpty()) {
        m_oodWarnings->setText((m_oodWarnings->isVisible() ? m_oodWarnings->text() + QLatin1Char('\n') : QString()) +
                               problems.join(QLatin1Char('\n')));
        m_oodWarnings->show();
    }
    showEvaluations();
    Q_EMIT statusMessage(tr("OOD evaluation written to %1").arg(folders.join(QStringLiteral(", "))));
    Q_EMIT oodEvaluated(folders);
}

void AnalysisPanel::showEarlierEvaluation()
{
    // What the page computed for this run last time is shown again, until Evaluate replaces it.
    m_evaluations.clear();
    EvaluationFolder earlier;
    const QString folder = m_runDirectory + QStringLiteral("/eval/") + kOodEvaluationName;
    if (QFileInfo::exists(folder + QStringLiteral("/metrics.json")) && readEvaluationFolder(folder, earlier).isEmpty()) {
        m_evaluations.append(earlier);
    }
    m_oodWarnings->setText(earlier.warnings.join(QLatin1Char('\n')));
    m_oodWarnings->setVisible(!m_evaluations.isEmpty() && !earlier.warnings.isEmpty());
    showEvaluations();
}

void AnalysisPanel::showEvaluations()
{
    m_oodHint->setVisible(m_evaluations.isEmpty());
    m_roc->setPanels(rocPanelsOf(m_evaluations));
    QVector<widgets::MetricRow> rows;
    for (const EvaluationFolder& evaluation : m_evaluations) {
        rows += evaluation.rows;
    }
    m_metrics->setRows(rows);
    const QString current = m_histogramScore->currentText();
    m_histogramScore->blockSignals(true);
    m_histogramScore->clear();
    if (!m_evaluations.isEmpty()) {
        m_histogramScore->addItems(m_evaluations.front().scores);
    }
    m_histogramScore->setCurrentText(current);
    m_histogramScore->blockSignals(false);
    showHistogramOf(m_histogramScore->currentText());
}

void AnalysisPanel::showHistogramOf(const QString& score)
{
    if (m_evaluations.isEmpty() || score.isEmpty()) {
        return;
    }
    m_histograms->setSamples(score, scoreSamplesOf(m_evaluations.front(), score));
}

bool AnalysisPanel::computeTsne()
{
    if (m_busy || !m_embeddingFeatures || m_embeddingMembers.size() < 10) {
        Q_EMIT statusMessage(m_busy ? tr("Busy: wait for the current job or cancel it") : tr("Open a run first"));
        return false;
    }
    ProjectionRequest request;
    request.points = m_embeddingFeatures;
    request.dim = m_embeddingDim;
    request.options.perplexity = std::min(30.0, (double(m_embeddingMembers.size()) - 1.0) / 3.0);
    setBusy(true, tr("t-SNE"));
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, request] { worker->project(request); }, Qt::QueuedConnection);
    return true;
}

void AnalysisPanel::refreshEmbedding()
{
    // The points: a seeded choice of the ID test set, then of every scanned OOD set.
    m_embeddingSets.clear();
    m_embeddingMembers.clear();
    auto features = std::make_shared<std::vector<float>>();
    m_embeddingDim = 0;
    for (const QString& name : m_setOrder) {
        const core::ScannedImages& scan = *m_scans[name];
        if (scan.featureDim == 0) {
            continue;
        }
        m_embeddingDim = scan.featureDim;
        const int set = int(m_embeddingSets.size());
        m_embeddingSets.append(m_thumbnails[name]);
        for (const int image : seededChoice(int(scan.count), scan.outOfDistribution ? kEmbeddingOodPoints : kEmbeddingIdPoints)) {
            m_embeddingMembers.append({set, image});
            const auto row = scan.features.begin() + ptrdiff_t(image) * ptrdiff_t(scan.featureDim);
            features->insert(features->end(), row, row + ptrdiff_t(scan.featureDim));
        }
    }
    m_embeddingFeatures = features;
    // Adding a set invalidates an earlier t-SNE (it was computed without it): back to PCA until recomputed.
    m_projection->setItemData(1, false, Qt::UserRole - 1);
    m_projection->blockSignals(true);
    m_projection->setCurrentIndex(0);
    m_projection->blockSignals(false);
    if (m_embeddingMembers.size() < 2) {
        m_embedding->setData({}, {}, tr("PCA"));
        return;
    }
    const std::vector<double> projected = core::pca2(*features, m_embeddingDim);
    QVector<widgets::EmbeddingPoint> points;
    for (int i = 0; i < m_embeddingMembers.size(); ++i) {
        points.append({projected[size_t(2 * i)], projected[size_t(2 * i + 1)], m_embeddingMembers[i].first,
                       m_embeddingMembers[i].second});
    }
    m_embedding->setData(m_embeddingSets, points, tr("PCA"));
}

void AnalysisPanel::onProjected(const QVector<double>& coordinates)
{
    setBusy(false);
    if (coordinates.size() != 2 * m_embeddingMembers.size()) {
        return; // the points changed while t-SNE ran
    }
    QVector<widgets::EmbeddingPoint> points;
    for (int i = 0; i < m_embeddingMembers.size(); ++i) {
        points.append({coordinates[2 * i], coordinates[2 * i + 1], m_embeddingMembers[i].first, m_embeddingMembers[i].second});
    }
    m_embedding->setData(m_embeddingSets, points, tr("t-SNE"));
    m_projection->setItemData(1, QVariant(), Qt::UserRole - 1);
    m_projection->blockSignals(true);
    m_projection->setCurrentIndex(1);
    m_projection->blockSignals(false);
    Q_EMIT embeddingProjected();
}

void AnalysisPanel::onFailed(const QString& error)
{
    setBusy(false);
    if (m_scans.isEmpty()) {
        m_checkpoint.clear();
        m_runLabel->setText(error.isEmpty() ? tr("Opening cancelled.") : tr("Could not open the run: %1").arg(error));
    }
    Q_EMIT statusMessage(error.isEmpty() ? tr("Cancelled") : error);
    if (!error.isEmpty()) {
        Q_EMIT jobFailed(error);
    }
}

QVector<FigureEntry> AnalysisPanel::figures() const
{
    QVector<FigureEntry> figures;
    if (m_embedding->pointCount() > 0) {
        figures.append({tr("Embedding"), m_embedding->plot(), [this] { return m_embedding->toCsv(); }});
    }
    if (!m_evaluations.isEmpty()) {
        figures.append({tr("ROC curves"), m_roc->plot(), [this] { return rocCurvesCsv(rocPanelsOf(m_evaluations)); }});
        figures.append({tr("Score histograms"), m_histograms->plot(), [this] { return m_histograms->toCsv(); }});
    }
    return figures;
}

int AnalysisPanel::currentFigureIndex() const
{
    const QVector<FigureEntry> all = figures();
    QCustomPlot* shown = nullptr;
    if (m_tabs->currentIndex() == 1) {
        shown = m_embedding->plot();
    } else if (m_tabs->currentIndex() == 2) {
        shown = m_oodResults->currentIndex() == 1 ? m_histograms->plot() : m_roc->plot();
    }
    for (int i = 0; i < all.size(); ++i) {
        if (all[i].plot == shown) {
            return i;
        }
    }
    return 0;
}

bool AnalysisPanel::hasMetrics() const
{
    return !m_evaluations.isEmpty();
}

QString AnalysisPanel::metricsTable(bool latex) const
{
    return metricsTableText(m_metrics->rows(), latex, m_inDataset);
}

} // namespace tau::app
