#include "app/pages/results_dialog.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace tau::app {

ResultsDialog::ResultsDialog(const QVector<ResultRow>& rows, const QString& inDataset, QWidget* parent)
    : QDialog(parent)
    , m_rows(rows)
    , m_inDataset(inDataset)
    , m_sets(new QListWidget)
    , m_table(new QTableWidget)
{
    setWindowTitle(tr("OOD results across runs"));
    m_sets->setObjectName(QStringLiteral("resultsSets"));
    m_sets->setToolTip(tr("The OOD sets in the table (and in the mean over sets)"));
    m_sets->setMaximumWidth(200);
    for (const QString& set : resultSets(rows)) {
        auto* item = new QListWidgetItem(set, m_sets);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    connect(m_sets, &QListWidget::itemChanged, this, &ResultsDialog::fillTable);
    m_table->setObjectName(QStringLiteral("resultsTable"));
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto* setsColumn = new QVBoxLayout;
    setsColumn->addWidget(new QLabel(tr("OOD sets")));
    setsColumn->addWidget(m_sets);
    auto* body = new QHBoxLayout;
    body->addLayout(setsColumn);
    body->addWidget(m_table, 1);
    auto* layout = new QVBoxLayout(this);
    auto* note = new QLabel(tr("Each selected run's newest tau ood folder; runs alike but for the seed are one method "
                               "(mean ± sample std; n runs). FPR@95: the OOD share accepted at the threshold that "
                               "keeps 95% of the ID images. Linear top-1: each run's newest tau linear-eval."));
    note->setWordWrap(true);
    layout->addWidget(note);
    layout->addLayout(body, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QPushButton* saveButton = buttons->addButton(tr("Save as LaTeX, Markdown or CSV…"), QDialogButtonBox::ActionRole);
    connect(saveButton, &QPushButton::clicked, this, &ResultsDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(1180, 380);
    fillTable();
}

QStringList ResultsDialog::chosenSets() const
{
    QStringList sets;
    for (int i = 0; i < m_sets->count(); ++i) {
        if (m_sets->item(i)->checkState() == Qt::Checked) {
            sets << m_sets->item(i)->text();
        }
    }
    return sets;
}

QString ResultsDialog::tableText(TableFormat format) const
{
    const QStringList sets = chosenSets();
    return resultsTableText(m_rows, format, m_inDataset, sets, defaultNearSets(sets, m_inDataset));
}

void ResultsDialog::fillTable()
{
    const QStringList sets = chosenSets();
    const bool linear = std::any_of(m_rows.begin(), m_rows.end(), [](const ResultRow& row) { return !row.linearTop1.isEmpty(); });
    QStringList headers{tr("method"), tr("score"), tr("n")};
    for (const QString& set : sets) {
        headers << tr("AUROC %1").arg(set);
    }
    for (const QString& set : sets) {
        headers << tr("FPR@95 %1").arg(set);
    }
    if (linear) {
        headers << tr("linear top-1");
    }
    m_table->clear();
    m_table->setRowCount(int(m_rows.size()));
    m_table->setColumnCount(int(headers.size()));
    m_table->setHorizontalHeaderLabels(headers);
    for (int row = 0; row < m_rows.size(); ++row) {
        const ResultRow& result = m_rows[row];
        QStringList cells{result.method, result.score, QString::number(result.runs.size())};
        for (const QString& set : sets) {
            cells << meanAndSpread(result.auroc.value(set));
        }
        for (const QString& set : sets) {
            cells << meanAndSpread(result.fpr95.value(set));
        }
        if (linear) {
            cells << meanAndSpread(result.linearTop1);
        }
        for (int column = 0; column < cells.size(); ++column) {
            m_table->setItem(row, column, new QTableWidgetItem(cells[column]));
        }
        m_table->item(row, 0)->setToolTip(result.runs.join(QStringLiteral(", ")));
    }
    m_table->resizeColumnsToContents();
}

void ResultsDialog::save()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the results table"), QStringLiteral("results.tex"),
                                                      tr("LaTeX tabular (*.tex);;Markdown (*.md);;CSV (*.csv)"));
    if (path.isEmpty()) {
        return;
    }
    QSaveFile file(path);
    const QByteArray text = tableText(tableFormatOf(path)).toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        QMessageBox::warning(this, tr("Results"), tr("%1: cannot write it (%2)").arg(path, file.errorString()));
    }
}

} // namespace tau::app
