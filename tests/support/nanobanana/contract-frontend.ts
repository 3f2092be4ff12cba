/**
 * The front-end example of contract 004 (`types.ts` and `api.ts` of "完整前端示例"), copied as
 * published. Only `BASE_URL` and the WebSocket host are set from the running test server instead
 * of the document's `localhost:8080`; everything else is the contract's code, unchanged. It runs
 * in Node with `ws` as the global WebSocket and a tiny DOM shim for `exportImages`.
 */

// types.ts - 类型定义
export interface GenerationTask {
  id: string;
  prompt: string;
  model: string;
  totalCount: number;
  completedCount: number;
  status: 'processing' | 'completed' | 'failed' | 'partial';
  options: string;
  errorMessage: string;
  createdAt: string;
  updatedAt: string;
  images: GeneratedImage[];
}

export interface GeneratedImage {
  id: string;
  taskId: string;
  filePath: string;
  thumbnailPath: string;
  fileSize: number;
  width: number;
  height: number;
  mimeType: string;
  createdAt: string;
}

export interface ApiResponse<T> {
  code: number;
  message: string;
  data: T;
}

export interface ProgressMessage {
  type: 'progress' | 'complete' | 'error';
  taskId: string;
  completedCount: number;
  totalCount: number;
  latestImage: GeneratedImage | null;
  message: string;
}

/** Set by the test before use: `http://127.0.0.1:<port>` (the document's `http://localhost:8080`). */
export const server = { origin: 'http://localhost:8080' };

export function createImageGenAPI() {
  // api.ts - API 封装
  const BASE_URL = `${server.origin}/api/v1`;
  const WS_ORIGIN = server.origin.replace(/^http/, 'ws');

  class ImageGenAPI {
    // 创建批量生成任务
    static async createTask(params: {
      prompt: string;
      model: string;
      count: number;
      apiKey: string;
      apiBase?: string;
      aspectRatio?: string; // 图片宽高比: "1:1", "3:4", "4:3", "9:16", "16:9"
      imageSize?: string; // 图片尺寸: "1K", "2K", "4K"
      options?: string; // 可选参数(JSON字符串)，如 {"temperature":0.7,"seed":123}
    }): Promise<GenerationTask> {
      const response = await fetch(`${BASE_URL}/generate/batch`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(params),
      });

      const result: ApiResponse<GenerationTask> = await response.json();

      if (result.code !== 0) {
        throw new Error(result.message);
      }

      return result.data;
    }

    // 查询任务状态
    static async getTaskStatus(taskId: string): Promise<GenerationTask> {
      const response = await fetch(`${BASE_URL}/generate/status/${taskId}`);
      const result: ApiResponse<GenerationTask> = await response.json();

      if (result.code !== 0) {
        throw new Error(result.message);
      }

      return result.data;
    }

    // 获取历史列表
    static async getHistory(page = 1, pageSize = 10) {
      const response = await fetch(`${BASE_URL}/history?page=${page}&pageSize=${pageSize}`);
      const result: ApiResponse<{
        list: GenerationTask[];
        total: number;
        page: number;
      }> = await response.json();

      if (result.code !== 0) {
        throw new Error(result.message);
      }

      return result.data;
    }

    // 删除历史
    static async deleteHistory(id: string): Promise<void> {
      const response = await fetch(`${BASE_URL}/history/${id}`, {
        method: 'DELETE',
      });

      const result: ApiResponse<null> = await response.json();

      if (result.code !== 0) {
        throw new Error(result.message);
      }
    }

    // 批量导出
    static async exportImages(imageIds: string[]): Promise<void> {
      const response = await fetch(`${BASE_URL}/images/export`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({ imageIds }),
      });

      if (response.ok) {
        const blob = await response.blob();
        const url = window.URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = 'images.zip';
        a.click();
        window.URL.revokeObjectURL(url);
      } else {
        // 导出接口失败时可能返回纯文本（因为已设置ZIP响应头，无法再返回JSON）
        const text = await response.text();
        throw new Error(text || `导出失败: HTTP ${response.status}`);
      }
    }

    // 连接 WebSocket
    static connectWebSocket(taskId: string, onMessage: (message: ProgressMessage) => void): WebSocket {
      const ws = new WebSocket(`${WS_ORIGIN}/api/v1/ws/generate/${taskId}`);

      ws.onmessage = (event) => {
        const message: ProgressMessage = JSON.parse(event.data);
        onMessage(message);
      };

      ws.onerror = (error) => {
        console.error('WebSocket error:', error);
      };

      return ws;
    }

    // 获取图片URL
    static getImageUrl(imageId: string): string {
      return `${BASE_URL}/images/${imageId}`;
    }

    // 获取下载URL
    static getDownloadUrl(imageId: string): string {
      return `${BASE_URL}/images/${imageId}/download`;
    }
  }
  return ImageGenAPI;
}
