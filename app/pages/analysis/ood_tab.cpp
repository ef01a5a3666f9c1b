#include "app/pages/analysis/ood_tab.h"

#include "core/evaluation/image_scan.h"
#include "core/io/run_directory.h"
#include "core/methods/score_catalog.h"
#include "core/runs/run_index.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/roc_plot.h"
#include "widgets/plots/score_histogram_plot.h"
#include "widgets/tables/metrics_table_model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace tau::app {

const QString OodTab::kEvaluationName = QStringLiteral("explorer");

namespace {

QListWidgetItem* addCheckable(QListWidget* list, const QString& text, bool checked, const QString& data = {})
{
    auto* item = new QListWidgetItem(text, list);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    item->setData(Qt::UserRole, data.isEmpty() ? text : data);
    return item;
}

QStringList checkedItems(const QListWidget* list)
{
    QStringList checked;
    for (int i = 0; i < list->count(); ++i) {
        if (list->item(i)->checkState() == Qt::Checked) {
            checked << list->item(i)->data(Qt::UserRole).toString();
        }
    }
    return checked;
}

void checkOnly(QListWidget* list, const QStringList& names)
{
    for (int i = 0; i < list->count(); ++i) {
        list->item(i)->setCheckState(names.contains(list->item(i)->data(Qt::UserRole).toString()) ? Qt::Checked
                                                                                                   : Qt::Unchecked);
    }
}

} // namespace

OodTab::OodTab(QWidget* parent) : QWidget(parent)
{
    auto* splitter = new QSplitter;
    splitter->addWidget(buildControls());
    splitter->addWidget(buildResults());
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
}

QWidget* OodTab::buildControls()
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
    m_evaluate = new QPushButton(tr("Evaluate"));
    m_evaluate->setObjectName(QStringLiteral("runOod"));
    connect(m_evaluate, &QPushButton::clicked, this, &OodTab::evaluateRequested);
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
    form->addWidget(m_evaluate);
    controls->setMaximumWidth(260);
    return controls;
}

QWidget* OodTab::buildResults()
{
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
    connect(m_histogramScore, &QComboBox::currentIndexChanged, this,
            [this] { showHistogramOf(m_histogramScore->currentData().toString()); }); // titles shown, names kept
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

    m_results = new QTabWidget;
    m_results->setObjectName(QStringLiteral("oodResults"));
    m_results->addTab(rocPage, tr("ROC curves"));
    m_results->addTab(histogramPage, tr("Score histograms"));
    m_results->addTab(m_metricsView, tr("Metrics"));
    m_roc->setPanels({}); // no axes until there is something to show
    m_warnings = new QLabel;
    m_warnings->setObjectName(QStringLiteral("oodWarnings"));
    m_warnings->setWordWrap(true);
    m_warnings->setTextFormat(Qt::PlainText); // warnings read from metrics.json
    m_warnings->setStyleSheet(QStringLiteral("QLabel { color: #7a4d00; }"));
    m_warnings->hide();
    auto* results = new QWidget;
    auto* layout = new QVBoxLayout(results);
    layout->setContentsMargins(0, 0, 0, 0);
    m_hint = new QLabel(tr("Check the OOD sets and scores to compare (and other runs, if you like), then "
                           "Evaluate. Each run's results are written to RUN_DIR/eval/%1/.").arg(kEvaluationName));
    m_hint->setWordWrap(true);
    m_protocol = new QLabel;
    m_protocol->setObjectName(QStringLiteral("oodProtocol"));
    m_protocol->setWordWrap(true);
    m_protocol->setTextFormat(Qt::PlainText); // set names come from the files
    m_protocol->hide();
    layout->addWidget(m_hint);
    layout->addWidget(m_protocol);
    layout->addWidget(m_warnings);
    layout->addWidget(m_results, 1);
    return results;
}

void OodTab::openRun(const core::ScannedImages& scan, const QStringList& oodSets, const QString& runsRoot)
{
    m_runDirectory = QString::fromStdString(scan.runDirectory);
    m_inDataset = QString::fromStdString(scan.inDataset);
    m_oodSets->clear();
    const QStringList usual = {QStringLiteral("mnist"), QStringLiteral("gaussian_noise"), QStringLiteral("inverted"),
                               QStringLiteral("svhn"), QStringLiteral("cifar100")};
    for (const QString& name : oodSets) {
        addCheckable(m_oodSets, name, usual.contains(name) || name.contains(QLatin1Char('@')));
    }
    m_scores->clear();
    // The scores this run's method can give, by their titles; its defaults checked. (A compared run gives those
    // of them its own method can give.)
    for (const std::string& score : scan.applicableScores) {
        const bool checked = std::find(scan.defaultScores.begin(), scan.defaultScores.end(), score) != scan.defaultScores.end();
        QListWidgetItem* item = addCheckable(m_scores, scoreTitle(QString::fromStdString(score)), checked,
                                             QString::fromStdString(score));
        item->setToolTip(QString::fromStdString(core::scoreInfo(score).summary));
    }
    m_compareRuns->clear();
    // A directory listing only: the Runs panel already reads every run's metrics.
    for (const std::string& run : core::listRunDirectories(runsRoot.toStdString())) {
        const QString directory = QString::fromStdString(run);
        if (QDir(directory).canonicalPath() != QDir(m_runDirectory).canonicalPath() &&
            QFileInfo::exists(QString::fromStdString(core::RunPaths{run}.lastCheckpoint()))) {
            addCheckable(m_compareRuns, QFileInfo(directory).fileName(), false, directory);
        }
    }
    showEarlierEvaluation();
}

void OodTab::setChoices(const QStringList& sets, const QStringList& scores, int bootstrap, qint64 limit)
{
    checkOnly(m_oodSets, sets);
    checkOnly(m_scores, scores);
    m_bootstrap->setValue(bootstrap);
    m_limit->setValue(int(limit));
}

QVector<core::OodEvaluationOptions> OodTab::requestedEvaluations(QString& problem) const
{
    const QStringList sets = checkedItems(m_oodSets);
    const QStringList scores = checkedItems(m_scores);
    if (m_runDirectory.isEmpty() || sets.isEmpty() || scores.isEmpty()) {
        problem = tr("Open a run and check at least one OOD set and one score");
        return {};
    }
    QVector<core::OodEvaluationOptions> runs;
    for (const QString& directory : QStringList{m_runDirectory} + checkedItems(m_compareRuns)) {
        core::OodEvaluationOptions options;
        options.checkpoint = directory.toStdString();
        options.dataset = m_inDataset.toStdString();
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
        options.name = kEvaluationName.toStdString();
        runs.push_back(options);
    }
    return runs;
}

void OodTab::clearWarnings()
{
    m_warnings->clear();
    m_warnings->hide();
}

void OodTab::setBusy(bool busy)
{
    m_evaluate->setEnabled(!busy);
}

void OodTab::showResults(const QStringList& folders, const QStringList& warnings)
{
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
        m_warnings->setText((m_warnings->isVisible() ? m_warnings->text() + QLatin1Char('\n') : QString()) +
                            problems.join(QLatin1Char('\n')));
        m_warnings->show();
    }
    showEvaluations();
}

void OodTab::showEarlierEvaluation()
{
    // What the page computed for this run last time is shown again, until Evaluate replaces it.
    m_evaluations.clear();
    EvaluationFolder earlier;
    const QString folder = QString::fromStdString(core::RunPaths{m_runDirectory.toStdString()}.evaluation(kEvaluationName.toStdString()));
    if (QFileInfo::exists(folder + QStringLiteral("/metrics.json")) && readEvaluationFolder(folder, earlier).isEmpty()) {
        m_evaluations.append(earlier);
    }
    m_warnings->setText(earlier.warnings.join(QLatin1Char('\n')));
    m_warnings->setVisible(!m_evaluations.isEmpty() && !earlier.warnings.isEmpty());
    showEvaluations();
}

void OodTab::showEvaluations()
{
    m_hint->setVisible(m_evaluations.isEmpty());
    QStringList protocols; // the numbers each evaluation used, beside its results
    for (const EvaluationFolder& evaluation : m_evaluations) {
        if (!evaluation.protocol.isEmpty()) {
            protocols << (m_evaluations.size() > 1 ? evaluation.runName + QStringLiteral(": ") : QString()) + evaluation.protocol;
        }
    }
    m_protocol->setText(protocols.join(QLatin1Char('\n')));
    m_protocol->setVisible(!protocols.isEmpty());
    m_roc->setPanels(rocPanelsOf(m_evaluations));
    QVector<widgets::MetricRow> rows;
    for (const EvaluationFolder& evaluation : m_evaluations) {
        rows += evaluation.rows;
    }
    m_metrics->setRows(rows);
    const QString current = m_histogramScore->currentData().toString();
    m_histogramScore->blockSignals(true);
    m_histogramScore->clear();
    if (!m_evaluations.isEmpty()) {
        for (const QString& score : m_evaluations.front().scores) {
            m_histogramScore->addItem(scoreTitle(score), score);
        }
    }
    m_histogramScore->setCurrentIndex(std::max(0, m_histogramScore->findData(current)));
    m_histogramScore->blockSignals(false);
    showHistogramOf(m_histogramScore->currentData().toString());
}

void OodTab::showHistogramOf(const QString& score)
{
    if (m_evaluations.isEmpty() || score.isEmpty()) {
        return;
    }
    m_histograms->setSamples(scoreTitle(score), scoreSamplesOf(m_evaluations.front(), score));
}

QVector<FigureEntry> OodTab::figures() const
{
    if (m_evaluations.isEmpty()) {
        return {};
    }
    QStringList runs;
    for (const EvaluationFolder& evaluation : m_evaluations) {
        runs << evaluation.runName;
    }
    const QString of = QLatin1Char('_') + runs.join(QLatin1Char('_'));
    return {{tr("ROC curves"), m_roc->plot(), [this] { return rocCurvesCsv(rocPanelsOf(m_evaluations)); },
             QStringLiteral("roc") + of, m_roc->paperLayout()},
            {tr("Score histograms"), m_histograms->plot(), [this] { return m_histograms->toCsv(); },
             QStringLiteral("score_histograms") + of, m_histograms->paperLayout()}};
}

QCustomPlot* OodTab::shownPlot() const
{
    return m_results->currentIndex() == 1 ? m_histograms->plot() : m_roc->plot();
}

QString OodTab::metricsTable(bool latex) const
{
    return metricsTableText(m_metrics->rows(), latex, m_inDataset);
}

} // namespace tau::app
