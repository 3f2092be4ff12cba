// English strings of the contract-004 (NanoBanana) gallery. Spread into en.ts; nanobanana.zh-CN.ts mirrors the keys.
const nanobananaEn = {
  nanobanana_tasks: {
    nanobanana_tasks: 'NanoBanana gallery',
    titles: { list: 'NanoBanana gallery', show: 'NanoBanana task' },
    searchPlaceholder: 'Search prompts (Chinese or English)',
    fields: {
      prompt: 'Prompt',
      model: 'Model',
      status: 'Status',
      progress: 'Done',
      images: 'Images',
      createdAt: 'Created',
      errorMessage: 'Error',
      options: 'Options',
    },
    status: { processing: 'Processing', completed: 'Completed', failed: 'Failed', partial: 'Partial' },
    actions: {
      exportSelected: 'Export ZIP ({{count}})',
      deleteSelected: 'Delete selected ({{count}})',
      deleteImage: 'Delete image',
      download: 'Download',
      selectAll: 'Select all',
    },
    messages: {
      exported: 'ZIP downloaded',
      imageDeleted: 'Image deleted',
      tasksDeleted: '{{count}} tasks deleted',
      noImages: 'No images yet',
      confirmDeleteImage: 'Delete this image? This cannot be undone.',
      confirmDeleteTasks: 'Delete the selected tasks with all their images?',
    },
  },
};

export default nanobananaEn;
