#include "widgets/browser/certainty_browser.h"

#include "widgets/browser/certainty_models.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QPainter>
#include <QSignalBlocker>
#include <QSlider>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tau::widgets {

namespace {
constexpr int kLargeSide = 280;
constexpr int kCaptionHeight = 18;
constexpr int kSmallestSide = 32;

/**
 * The per-class table's cell: the thumbnail filling it and its c on a dark band across the thumbnail's foot, so
 * the score shows without a caption row (ten classes then fit the window's height).
 */
class ScoredThumbnailDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        if (option.state & QStyle::State_Selected) {
            painter->fillRect(option.rect, option.palette.highlight());
        }
        const QPixmap thumbnail = index.data(Qt::DecorationRole).value<QPixmap>();
        if (thumbnail.isNull()) {
            return;
        }
        const QRect image = option.rect.adjusted(2, 2, -2, -2);
        painter->drawPixmap(image, thumbnail);
        const QString score = index.data(Qt::DisplayRole).toString();
        if (score.isEmpty()) {
            return;
        }
        QFont font = option.font;
        font.setPixelSize(std::max(8, image.height() / 5));
        const QRect band(image.left(), image.bottom() - QFontMetrics(font).height() + 1, image.width(),
                         QFontMetrics(font).height());
        painter->fillRect(band, QColor(0, 0, 0, 150));
        painter->setFont(font);
        painter->setPen(Qt::white);
        painter->drawText(band, Qt::AlignCenter, score);
    }
};
} // namespace

CertaintyBrowser::CertaintyBrowser(QWidget* parent)
    : QWidget(parent)
    , m_grid(new CertaintyGridModel(this))
    , m_extremes(new ClassExtremesModel(this))
    , m_datasets(new QComboBox)
    , m_classes(new QComboBox)
    , m_order(new QComboBox)
    , m_layout(new QComboBox)
    , m_size(new QSlider(Qt::Horizontal))
    , m_pages(new QStackedWidget)
    , m_gridView(new QListView)
    , m_extremesView(new QTableView)
    , m_large(new QLabel)
    , m_details(new QLabel)
    , m_notice(new QLabel)
{
    m_datasets->setObjectName(QStringLiteral("browserDataset"));
    m_datasets->setToolTip(tr("The run's test set, or an OOD set scored by the same model"));
    m_classes->setObjectName(QStringLiteral("browserClass"));
    m_order->setObjectName(QStringLiteral("browserOrder"));
    m_order->addItem(tr("Most certain first"), int(Qt::DescendingOrder));
    m_order->addItem(tr("Least certain first"), int(Qt::AscendingOrder));
    m_layout->setObjectName(QStringLiteral("browserLayout"));
    m_layout->addItem(tr("All images"));
    m_layout->addItem(tr("Most / least certain per class"));
    for (QComboBox* combo : {m_datasets, m_classes, m_order, m_layout}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    }
    m_size->setRange(32, 160);
    m_size->setValue(72);
    m_size->setMaximumWidth(140);
    m_size->setToolTip(tr("Thumbnail size"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Set")));
    controls->addWidget(m_datasets);
    controls->addWidget(new QLabel(tr("Class")));
    controls->addWidget(m_classes);
    controls->addWidget(m_order);
    controls->addWidget(m_layout);
    controls->addWidget(new QLabel(tr("Size")));
    controls->addWidget(m_size);
    controls->addStretch(1);

    m_gridView->setObjectName(QStringLiteral("certaintyGrid"));
    m_gridView->setModel(m_grid);
    m_gridView->setViewMode(QListView::IconMode);
    m_gridView->setMovement(QListView::Static);
    m_gridView->setResizeMode(QListView::Adjust);
    m_gridView->setUniformItemSizes(true); // the view never measures items it does not show
    m_gridView->setLayoutMode(QListView::Batched);
    m_gridView->setBatchSize(2000);
    m_gridView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_gridView->setSpacing(2);

    m_extremesView->setObjectName(QStringLiteral("classExtremes"));
    m_extremesView->setModel(m_extremes);
    m_extremesView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_extremesView->setShowGrid(false);
    m_extremesView->horizontalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_extremesView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_extremesView->setItemDelegate(new ScoredThumbnailDelegate(m_extremesView));
    m_extremesView->viewport()->installEventFilter(this); // a resize fits the classes to the height again
    m_pages->addWidget(m_gridView);
    m_pages->addWidget(m_extremesView);

    m_large->setObjectName(QStringLiteral("largeImage"));
    m_large->setFixedSize(kLargeSide, kLargeSide);
    m_large->setAlignment(Qt::AlignCenter);
    m_large->setFrameShape(QFrame::StyledPanel);
    m_details->setObjectName(QStringLiteral("imageDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setText(tr("Click an image to see it large."));
    auto* side = new QWidget;
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->addWidget(m_large);
    sideLayout->addWidget(m_details);
    sideLayout->addStretch(1);

    auto* splitter = new QSplitter;
    splitter->addWidget(m_pages);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);

    m_notice->setObjectName(QStringLiteral("browserNotice"));
    m_notice->setWordWrap(true);
    m_notice->hide();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_notice);
    layout->addWidget(splitter, 1);

    connect(m_datasets, &QComboBox::activated, this,
            [this](int index) { Q_EMIT datasetRequested(m_datasets->itemText(index)); });
    connect(m_classes, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_grid->setClassFilter(m_classes->itemData(index).toInt()); });
    connect(m_order, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_grid->setOrder(Qt::SortOrder(m_order->itemData(index).toInt())); });
    connect(m_layout, &QComboBox::currentIndexChanged, m_pages, &QStackedWidget::setCurrentIndex);
    connect(m_size, &QSlider::valueChanged, this, [this](int pixels) {
        m_grid->setThumbnailSide(pixels);
        m_extremes->setThumbnailSide(pixels);
        m_gridView->setIconSize(QSize(pixels, pixels));
        m_gridView->setGridSize(QSize(pixels + 8, pixels + kCaptionHeight + 6));
        fitClassesToHeight();
    });
    connect(m_layout, &QComboBox::currentIndexChanged, this, &CertaintyBrowser::fitClassesToHeight);
    Q_EMIT m_size->valueChanged(m_size->value());
    const auto clicked = [this](const QModelIndex& index) {
        const QVariant image = index.data(ImageIndexRole);
        if (image.isValid()) {
            showDetails(image.toInt());
            Q_EMIT imageSelected(image.toInt());
        }
    };
    connect(m_gridView, &QListView::clicked, this, clicked);
    connect(m_extremesView, &QTableView::clicked, this, clicked);
}

void CertaintyBrowser::setDatasetChoices(const QStringList& names, const QString& current)
{
    const QSignalBlocker blocker(m_datasets);
    m_datasets->clear();
    m_datasets->addItems(names);
    m_datasets->setCurrentText(current);
}

void CertaintyBrowser::fitClassesToHeight()
{
    // Every class in view when the height allows it (the Size slider is the largest side), never below 32 px.
    const int rows = std::max(1, m_extremes->rowCount());
    const int available = m_extremesView->viewport()->height();
    const int side = std::clamp(available / rows - 4, kSmallestSide, std::max(kSmallestSide, m_size->value()));
    m_extremes->setThumbnailSide(side);
    m_extremesView->setIconSize(QSize(side, side));
    // Wide enough for its header ("least 6") at the smallest thumbnails.
    const int header = m_extremesView->horizontalHeader()->fontMetrics().horizontalAdvance(tr("least %1").arg(6)) + 12;
    m_extremesView->horizontalHeader()->setDefaultSectionSize(std::max(side + 4, header));
    m_extremesView->verticalHeader()->setDefaultSectionSize(side + 4);
}

bool CertaintyBrowser::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_extremesView->viewport() && event->type() == QEvent::Resize) {
        fitClassesToHeight();
    }
    return QWidget::eventFilter(watched, event);
}

void CertaintyBrowser::setImageSet(SharedThumbnailSet set)
{
    m_set = std::move(set);
    m_selected = -1;
    m_grid->setImageSet(m_set);
    m_extremes->setImageSet(m_set);
    fitClassesToHeight();
    m_grid->setOrder(Qt::SortOrder(m_order->currentData().toInt()));
    refillClassFilter();
    if (m_set) {
        const QSignalBlocker blocker(m_datasets);
        m_datasets->setCurrentText(m_set->name);
    }
    m_notice->setVisible(m_set && !m_set->hasScores());
    m_notice->setText(m_noScoresNote.isEmpty() ? tr("These images have no score: they are shown in dataset order.")
                                               : m_noScoresNote);
    m_large->clear();
    m_details->setText(m_set ? tr("%1: %2 images. Click one to see it large.").arg(m_set->name).arg(m_set->count())
                             : QString());
}

void CertaintyBrowser::setNoScoresNote(const QString& note)
{
    m_noScoresNote = note;
    if (m_set && !m_set->hasScores()) {
        m_notice->setText(note);
    }
}

void CertaintyBrowser::refillClassFilter()
{
    const QSignalBlocker blocker(m_classes);
    m_classes->clear();
    m_classes->addItem(tr("All classes"), -1);
    if (m_set) {
        QVector<bool> present(m_set->classNames.size(), false);
        for (const int label : m_set->labels) {
            if (label >= 0 && label < present.size()) {
                present[label] = true;
            }
        }
        for (int label = 0; label < present.size(); ++label) {
            if (present[label]) {
                m_classes->addItem(m_set->classNames[label], label);
            }
        }
    }
    m_classes->setEnabled(m_classes->count() > 1);
}

void CertaintyBrowser::selectImage(int image)
{
    if (!m_set || image < 0 || image >= m_set->count()) {
        return;
    }
    if (m_grid->rowOfImage(image) < 0) {
        m_classes->setCurrentIndex(0); // the filter hid it
        m_grid->setClassFilter(-1);
    }
    m_layout->setCurrentIndex(0);
    const QModelIndex index = m_grid->index(m_grid->rowOfImage(image));
    m_gridView->setCurrentIndex(index);
    m_gridView->scrollTo(index, QAbstractItemView::PositionAtCenter);
    showDetails(image);
}

void CertaintyBrowser::showDetails(int image)
{
    m_selected = image;
    const QImage picture = m_set->image(image);
    m_large->setPixmap(QPixmap::fromImage(
        picture.scaled(kLargeSide - 8, kLargeSide - 8, Qt::KeepAspectRatio, Qt::FastTransformation)));
    // Set and class names come from files (folder names, wnids.txt): shown as text, never as markup.
    QString text = tr("<b>%1 #%2</b><br>class: %3")
                       .arg(m_set->name.toHtmlEscaped())
                       .arg(image)
                       .arg(m_set->className(image).toHtmlEscaped());
    if (m_set->hasScores()) {
        text += tr("<br>%1 = %2").arg(m_set->scoreName.toHtmlEscaped(), QString::number(m_set->scores[image], 'g', 8));
        const double value = m_set->scores[image];
        const auto below = std::count_if(m_set->scores.cbegin(), m_set->scores.cend(), [value](double s) { return s < value; });
        text += tr("<br>more certain than %1% of the set").arg(100.0 * double(below) / double(m_set->count()), 0, 'f', 1);
    }
    m_details->setText(text);
}

} // namespace tau::widgets
