#pragma once

#include "core/config/experiment_config.h"

#include <QString>
#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QTimer;

namespace tau::app {

class ConfigForm;

/**
 * The config side of the Train page: the YAML text (the single source of truth), the form over it, live
 * validation with the offending line marked, open/save/recent files. Edits in the form change one value in the
 * text and are one undo step.
 */
class ConfigEditor : public QWidget
{
    Q_OBJECT

public:
    explicit ConfigEditor(QWidget* parent = nullptr);

    /** Loads a config file; false (with the reason shown) when it cannot be read. */
    bool openConfig(const QString& path);
    void openConfigDialog();
    bool saveConfig();
    bool saveConfigAs();
    /** Validates the text now (it also happens shortly after every edit). */
    void validateConfig();

    /**
     * The config the text resolves to, or nothing with the error shown (and its line marked); warnings
     * (unknown or duplicate keys) are shown beside it.
     */
    bool resolvedConfig(core::ExperimentConfig& config);

    /** Shows @p message under the text; a line > 0 is selected in the text. */
    void showError(const QString& message, int line);
    QString errorText() const;

    /** While a run trains, its config cannot change. */
    void setLocked(bool locked);
    bool hasUnsavedChanges() const;
    /** The file name with a * when modified, for the window title. */
    QString documentTitle() const;
    /** A picker of the shipped configs (configs/ beside the build, or $TAU_CONFIGS_DIR), opening the one chosen. */
    QComboBox* buildPresetPicker();
    /** Fills @p menu with the recent files (kept in QSettings), newest first. */
    void setRecentMenu(QMenu* menu);

Q_SIGNALS:
    void statusMessage(const QString& text);
    void titleChanged();

private:
    void applyFormEdit(const QString& keyPath, const QString& value);
    void markErrorLine(int line);
    bool writeConfig(const QString& path);
    void rememberRecent(const QString& path);
    void rebuildRecentMenu();
    void updateFileLabel();
    QString sourceName() const;
    static QString configsFolder();

    QString m_path;
    QLabel* m_fileLabel;
    ConfigForm* m_form;
    QPlainTextEdit* m_editor;
    QLabel* m_errorLabel;
    QTimer* m_validationTimer;
    QMenu* m_recentMenu = nullptr;
};

} // namespace tau::app
