#include "app/mainwindow/analysis_panel.h"

#include "app/bridge/core_values.h"
#include "app/pages/analysis/embedding_tab.h"
#include "app/pages/analysis/ood_tab.h"
#include "app/workers/analysis_worker.h"
#include "core/evaluation/image_scan.h"
#include "core/methods/system_catalog.h"
#include "widgets/browser/certainty_browser.h"
#include "widgets/plots/embedding_plot.h"
#include "widgets/plots/qcp.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace tau::app {

namespace {

constexpr int kProgressResolution = 1000;

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

} // namespace

AnalysisPanel::AnalysisPanel(QWidget* parent)
    : QWidget(parent), m_worker(new AnalysisWorker), m_trust(trustQuestionDialog(this, tr("Trust and Continue")))
{
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &AnalysisWorker::progress, this, &AnalysisPanel::onProgress);
    connect(m_worker, &AnalysisWorker::scanned, this, &AnalysisPanel::onScanned);
    connect(m_worker, &AnalysisWorker::projected, this, &AnalysisPanel::onProjected);
    connect(m_worker, &AnalysisWorker::evaluated, this, &AnalysisPanel::onEvaluated);
    connect(m_worker, &AnalysisWorker::failed, this, &AnalysisPanel::onFailed);
    connect(m_worker, &AnalysisWorker::scriptRefused, this,
            [this](const QString& path, const QStringList& reasons) { m_trust.noteRefusal(path, reasons); });
    m_thread.setObjectName(QStringLiteral("analysis"));
    m_thread.start();

    m_browser = new widgets::CertaintyBrowser;
    m_browser->setObjectName(QStringLiteral("certaintyBrowser"));
    connect(m_browser, &widgets::CertaintyBrowser::datasetRequested, this, &AnalysisPanel::showSet);
    m_embeddingTab = new EmbeddingTab;
    connect(m_embeddingTab, &EmbeddingTab::setRequested, this, &AnalysisPanel::showSet);
    connect(m_embeddingTab, &EmbeddingTab::tsneRequested, this, &AnalysisPanel::computeTsne);
    connect(m_embeddingTab, &EmbeddingTab::imageClicked, this, [this](const widgets::SharedThumbnailSet& set, int image) {
        if (m_browser->imageSet() != set) {
            m_browser->setImageSet(set);
        }
        m_browser->selectImage(image);
        m_tabs->setCurrentWidget(m_browser);
    });
    m_oodTab = new OodTab;
    connect(m_oodTab, &OodTab::evaluateRequested, this, &AnalysisPanel::runOod);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("analysisTabs"));
    m_tabs->addTab(m_browser, tr("Certainty"));
    m_tabs->addTab(m_embeddingTab, tr("Embedding"));
    m_tabs->addTab(m_oodTab, tr("OOD detection"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(buildHeader());
    layout->addWidget(m_tabs, 1);
    setBusy(false);
    m_tabs->setEnabled(false);
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
    m_oodTab->setBusy(busy);
    m_embeddingTab->setBusy(busy);
    if (busy) {
        m_progress->setValue(0);
        m_stage = what;
        m_eta->setText(what);
    }
}

bool AnalysisPanel::refuseWhenBusy()
{
    if (m_busy) {
        Q_EMIT statusMessage(tr("Busy: wait for the current job or cancel it"));
    }
    return m_busy;
}

void AnalysisPanel::startJob(const QString& stage, std::function<void()> job)
{
    m_trust.clear();
    m_job = std::move(job);
    setBusy(true, stage);
    QMetaObject::invokeMethod(m_worker, m_job, Qt::QueuedConnection);
}

void AnalysisPanel::cancel()
{
    m_worker->stop();
}

bool AnalysisPanel::openCheckpoint(const QString& location)
{
    if (refuseWhenBusy()) {
        return false;
    }
    m_checkpoint = QFileInfo(location).absoluteFilePath();
    m_sets.clear();
    m_runLabel->setText(tr("Opening %1…").arg(QDir::toNativeSeparators(location)));
    startScan({}, tr("Scoring the test set"));
    return true;
}

void AnalysisPanel::startScan(const QString& dataset, const QString& stage)
{
    core::ImageScanOptions options;
    options.checkpoint = m_checkpoint.toStdString();
    options.dataset = dataset.toStdString();
    startJob(stage, [worker = m_worker, options] { worker->scan(options); });
}

const EmbeddedSet* AnalysisPanel::scanned(const QString& name) const
{
    for (const EmbeddedSet& set : m_sets) {
        if (QString::fromStdString(set.scan->dataset) == name) {
            return &set;
        }
    }
    return nullptr;
}

bool AnalysisPanel::showSet(const QString& name)
{
    if (const EmbeddedSet* set = scanned(name)) {
        m_browser->setImageSet(set->thumbnails);
        return true;
    }
    if (refuseWhenBusy()) {
        return false;
    }
    if (m_checkpoint.isEmpty()) {
        Q_EMIT statusMessage(tr("Open a checkpoint first"));
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
    const bool firstScan = m_sets.isEmpty();
    if (!scanned(name)) {
        m_sets.append({scan, toThumbnails(*scan)}); // the ID set first
    }
    if (firstScan) {
        showRun(*scan);
    }
    m_browser->setImageSet(scanned(name)->thumbnails);
    m_embeddingTab->showSets(m_sets);
    Q_EMIT statusMessage(tr("Scored %1 images of %2").arg(scan->count).arg(name));
    Q_EMIT setScanned(name);
}

void AnalysisPanel::showRun(const core::ScannedImages& scan)
{
    m_runDirectory = QString::fromStdString(scan.runDirectory);
    m_inDataset = QString::fromStdString(scan.inDataset);
    // Folder, method and set names come from the disk and the run's config: text, never markup.
    m_runLabel->setText(tr("<b>%1</b> · %2 · trained on %3 · browsing %4 test images · checkpoint %5")
                            .arg(QFileInfo(m_runDirectory).fileName().toHtmlEscaped(),
                                 QString::fromStdString(scan.system).toHtmlEscaped(), m_inDataset.toHtmlEscaped())
                            .arg(scan.count)
                            .arg(QFileInfo(QString::fromStdString(scan.checkpointFile)).fileName().toHtmlEscaped()));
    QStringList oodSets;
    if (!scan.heldOutSet.empty()) {
        // The run trained on some classes: the others are the nearest OOD set there is.
        oodSets << QString::fromStdString(scan.heldOutSet);
    }
    for (const std::string& set : scan.oodChoices) {
        oodSets << QString::fromStdString(set);
    }
    m_browser->setDatasetChoices(QStringList{m_inDataset} + oodSets, m_inDataset);
    m_browser->setNoScoresNote(noTemperatureNote(scan));
    m_embeddingTab->setSetChoices(oodSets);
    m_tabs->setEnabled(true); // first: plots take their colours from the enabled palette
    m_oodTab->openRun(scan, oodSets, m_runsRoot);
    Q_EMIT checkpointOpened(m_runDirectory);
}

void AnalysisPanel::setOodChoices(const QStringList& sets, const QStringList& scores, int bootstrap, qint64 limit)
{
    m_oodTab->setChoices(sets, scores, bootstrap, limit);
}

bool AnalysisPanel::runOod()
{
    if (refuseWhenBusy()) {
        return false;
    }
    QString problem;
    const QVector<core::OodEvaluationOptions> runs = m_oodTab->requestedEvaluations(problem);
    if (runs.isEmpty()) {
        Q_EMIT statusMessage(problem);
        return false;
    }
    m_oodTab->clearWarnings();
    startJob(tr("OOD evaluation"), [worker = m_worker, runs] { worker->evaluate(runs); });
    return true;
}

void AnalysisPanel::onEvaluated(const QStringList& folders, const QStringList& warnings)
{
    setBusy(false);
    m_oodTab->showResults(folders, warnings);
    Q_EMIT statusMessage(tr("OOD evaluation written to %1").arg(folders.join(QStringLiteral(", "))));
    Q_EMIT oodEvaluated(folders);
}

bool AnalysisPanel::computeTsne()
{
    ProjectionRequest request;
    if (refuseWhenBusy()) {
        return false;
    }
    if (!m_embeddingTab->tsneRequest(request)) {
        Q_EMIT statusMessage(tr("Open a run first"));
        return false;
    }
    startJob(tr("t-SNE"), [worker = m_worker, request] { worker->project(request); });
    return true;
}

void AnalysisPanel::onProjected(const QVector<double>& coordinates)
{
    setBusy(false);
    if (m_embeddingTab->showTsne(coordinates)) {
        Q_EMIT embeddingProjected();
    }
}

void AnalysisPanel::onFailed(const QString& error)
{
    setBusy(false);
    if (!error.isEmpty() && m_trust.askAndTrust()) { // a TorchScript encoder, trusted now: the same job again
        startJob(m_stage, m_job);
        return;
    }
    if (m_sets.isEmpty()) {
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
    return m_embeddingTab->figures() + m_oodTab->figures();
}

int AnalysisPanel::currentFigureIndex() const
{
    const QVector<FigureEntry> all = figures();
    QCustomPlot* shown = nullptr;
    if (m_tabs->currentWidget() == m_embeddingTab) {
        shown = m_embeddingTab->plot()->plot();
    } else if (m_tabs->currentWidget() == m_oodTab) {
        shown = m_oodTab->shownPlot();
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
    return m_oodTab->hasMetrics();
}

QString AnalysisPanel::metricsTable(bool latex) const
{
    return m_oodTab->metricsTable(latex);
}

widgets::EmbeddingPlot* AnalysisPanel::embedding() const
{
    return m_embeddingTab->plot();
}

widgets::RocPlot* AnalysisPanel::rocPlot() const
{
    return m_oodTab->rocPlot();
}

widgets::MetricsTableModel* AnalysisPanel::metricsModel() const
{
    return m_oodTab->metricsModel();
}

QTableView* AnalysisPanel::metricsView() const
{
    return m_oodTab->metricsView();
}

} // namespace tau::app
